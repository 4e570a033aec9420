/**
 * Where the passwords and keys typed for remote storage are kept, said before they are typed:
 * in the desktop app, the system keychain (main's vault) when there is one; otherwise, and always
 * in the browser version (`cairn serve`, which has no keychain), in Cairn's memory for this
 * session only.
 */
import { electronBridge } from '../api/bridge.js';
import { useRequest } from '../useRequest.js';

export function CredentialsNote() {
  const bridge = electronBridge();
  const vault = useRequest(bridge ? () => bridge.vaultStatus() : null, [bridge]);
  if (!bridge) {
    return (
      <p className="hint">
        Passwords and keys typed here are held by Cairn for this session only: the browser version has no keychain.
        After <code>cairn serve</code> restarts, enter them again under Settings → Storage.
      </p>
    );
  }
  if (vault.state !== 'ready') return null;
  return vault.data.available ? (
    <p className="hint">
      Passwords and keys typed here are kept in the system keychain, so Cairn can reach the storage after a restart.
    </p>
  ) : (
    <p className="hint">
      This computer has no usable keychain, so passwords and keys typed here are held for this session only; enter them
      again under Settings → Storage after Cairn restarts.
    </p>
  );
}
