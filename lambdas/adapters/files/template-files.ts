import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TemplateSource } from '../../onboarding/ports';

/** Templates from a directory: `templates/` locally, a copy inside the bundle in Lambda. */
export class TemplateFiles implements TemplateSource {
  private readonly cache = new Map<string, string>();

  constructor(private readonly directory: string) {}

  async read(fileName: string): Promise<string> {
    const cached = this.cache.get(fileName);
    if (cached !== undefined) return cached;
    const text = await readFile(path.join(this.directory, path.basename(fileName)), 'utf8');
    this.cache.set(fileName, text);
    return text;
  }
}
