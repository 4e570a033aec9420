/**
 * The app's icons, as inline SVG components: they render the same everywhere (an emoji needs a
 * font that many Linux machines lack and shows an empty box there), follow the text colour in
 * both themes, and are hidden from assistive technology since the name beside them says it all.
 * Paths are drawn on a 16×16 grid with a 1.5 stroke.
 */
import type { ReactNode } from 'react';

function Icon({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <svg
      className={`icon${className ? ` ${className}` : ''}`}
      viewBox="0 0 16 16"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export function FolderIcon() {
  return (
    <Icon className="icon-folder">
      <path d="M1.75 4.25a1 1 0 0 1 1-1h3.5l1.5 1.5h5.5a1 1 0 0 1 1 1v6.5a1 1 0 0 1-1 1H2.75a1 1 0 0 1-1-1z" />
    </Icon>
  );
}

export function FileIcon() {
  return (
    <Icon className="icon-file">
      <path d="M3.75 1.75h5.5l3 3v9.5h-8.5z" />
      <path d="M9.25 1.75v3h3" />
    </Icon>
  );
}

export function LinkIcon() {
  return (
    <Icon className="icon-link">
      <path d="M3.75 1.75h5.5l3 3v9.5h-8.5z" />
      <path d="M6 11.25l3.5-3.5M6.75 7.75H9.5v2.75" />
    </Icon>
  );
}

/** The icon of a directory entry by its type. */
export function EntryIcon({ type }: { type: string }) {
  if (type === 'dir') return <FolderIcon />;
  if (type === 'symlink') return <LinkIcon />;
  return <FileIcon />;
}
