// Types for scripts/make-icons.mjs, so the TypeScript tests can import it.
export const LINUX_SIZES: number[];
export const ICO_SIZES: number[];
export const ICNS_TYPES: [string, number][];
export const TRAY_STATUSES: string[];
export function icoContainer(images: { size: number; png: Buffer }[]): Buffer;
export function icnsContainer(elements: { type: string; png: Buffer }[]): Buffer;
/** Every generated file: its path relative to build/ → its bytes. */
export function makeIcons(source?: string): Promise<Map<string, Buffer>>;
