import { useEffect, useState } from 'react';
import { session } from '../api';
import { ErrorMessage } from '../components';

interface Persona {
  readonly id: string;
  readonly label: string;
}

/**
 * The local runtime's sign-in: a button per sandbox persona, each signed in with a token the
 * local issuer mints for it.
 */
export function SignInPage() {
  const [personas, setPersonas] = useState<Persona[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    fetch('/local/personas')
      .then((answer) => answer.json() as Promise<Persona[]>)
      .then(setPersonas, setError);
  }, []);

  async function signIn(persona: Persona) {
    setError(null);
    try {
      const answer = await fetch('/local/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ persona: persona.id }),
      });
      if (!answer.ok) throw new Error(`Sign-in answered ${answer.status}.`);
      const { token } = (await answer.json()) as { token: string };
      session.set({ token, label: persona.label });
    } catch (failure: unknown) {
      setError(failure);
    }
  }

  return (
    <main className="sign-in">
      <h1>Sign in</h1>
      <p>The local runtime's people. Each button signs you in with a token from the local issuer.</p>
      <ErrorMessage error={error} />
      {personas === null && !error ? <p role="status">Loading…</p> : null}
      <ul className="personas">
        {(personas ?? []).map((persona) => (
          <li key={persona.id}>
            <button type="button" onClick={() => signIn(persona)}>
              {persona.label}
            </button>
          </li>
        ))}
      </ul>
    </main>
  );
}
