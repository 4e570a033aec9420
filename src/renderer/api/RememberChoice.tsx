/**
 * "Remember the password on this computer": the checkbox First run and the Dashboard's unlock form
 * show in the desktop app, where the keychain vault can keep passwords; where it refuses (e.g. no
 * system keyring), the reason instead; nothing at all in the browser version.
 */
import type { VaultView } from './vault.js';

export function RememberChoice({
  view,
  checked,
  onChange,
  disabled,
}: {
  view: VaultView | null;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  if (!view || view.kind === 'absent') return null;
  if (view.kind === 'refused') {
    return <p className="hint remember-refused">Cairn cannot remember the password on this computer: {view.reason}.</p>;
  }
  return (
    <label className="remember-choice">
      <input
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
      />
      <span>
        Remember the password on this computer
        <span className="hint"> — sealed by the system keychain, so Cairn unlocks this repository at start.</span>
      </span>
    </label>
  );
}
