/**
 * First run's password step: the password (with a strength meter and a confirmation when creating
 * a repository). The repository is created or connected when this step is left (step-list.tsx).
 */
import { useId } from 'react';
import { RememberChoice } from '../../api/RememberChoice.js';
import { useVault } from '../../api/vault.js';
import type { StepProps } from '../setup.js';
import { usePasswordStrength } from '../strength.js';

export function PasswordStep({ setup, update }: StepProps) {
  const id = useId();
  const strength = usePasswordStrength(setup.password);
  const vault = useVault();
  if (setup.repository) {
    return (
      <>
        <p className="success-text">“{setup.repository.label}” is ready. Continue with the next step.</p>
        {setup.rememberNote && (
          <p className="error-text" role="alert">
            {setup.rememberNote}
          </p>
        )}
      </>
    );
  }
  return (
    <div className="form">
      <p>
        {setup.mode === 'create'
          ? 'The password protects the keys that encrypt your backups. Without it (or the recovery key) nobody can read them, including you.'
          : 'Enter the password of the repository.'}
      </p>
      <label htmlFor={`${id}-password`}>Password</label>
      <input
        id={`${id}-password`}
        type="password"
        autoComplete={setup.mode === 'create' ? 'new-password' : 'current-password'}
        value={setup.password}
        aria-describedby={setup.mode === 'create' ? `${id}-strength` : undefined}
        onChange={(event) => update({ password: event.target.value })}
      />
      {setup.mode === 'create' && (
        <>
          <div className="strength" id={`${id}-strength`}>
            <meter min={0} max={4} low={2} high={3} optimum={4} value={strength.score} aria-label="Password strength" />
            <span>Strength: {strength.label}</span>
          </div>
          {setup.password !== '' && strength.ready && strength.score < 2 && (
            <p className="hint">
              {strength.warning ? `${strength.warning} ` : ''}A longer password, such as several unrelated words, is
              much harder to guess.
            </p>
          )}
          <label htmlFor={`${id}-confirm`}>Confirm password</label>
          <input
            id={`${id}-confirm`}
            type="password"
            autoComplete="new-password"
            value={setup.confirmation}
            onChange={(event) => update({ confirmation: event.target.value })}
          />
          {setup.confirmation !== '' && setup.confirmation !== setup.password && (
            <p className="error-text">The two passwords are not the same.</p>
          )}
        </>
      )}
      <RememberChoice
        view={vault.view}
        checked={setup.rememberPassword}
        onChange={(rememberPassword) => update({ rememberPassword })}
      />
    </div>
  );
}
