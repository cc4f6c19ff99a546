/** Reads a customer template's YAML text by file name. */
export interface TemplateSource {
  read(fileName: string): Promise<string>;
}
