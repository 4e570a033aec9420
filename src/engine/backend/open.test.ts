import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalBackend } from './local.js';
import { openBackend } from './open.js';

describe('openBackend', () => {
  it('opens a plain absolute path as a LocalBackend', () => {
    const backend = openBackend('/srv/backups/cairn');
    expect(backend).toBeInstanceOf(LocalBackend);
    expect(backend.location).toBe(path.resolve('/srv/backups/cairn'));
  });

  it('resolves a relative path and ~ against the working and home folders', () => {
    expect(openBackend('backups/repo').location).toBe(path.resolve('backups/repo'));
    expect(openBackend('~/backups').location).toBe(path.join(os.homedir(), 'backups'));
    expect(openBackend('~').location).toBe(os.homedir());
  });

  it('opens a file:// URL, decoding escapes', () => {
    const dir = path.join(os.tmpdir(), 'my backups', 'repo');
    const url = pathToFileURL(dir).href;
    expect(url).toContain('%20');
    const backend = openBackend(url);
    expect(backend).toBeInstanceOf(LocalBackend);
    expect(backend.location).toBe(dir);
  });

  it('refuses a file:// URL with a remote host', () => {
    expect(() => openBackend('file://server/share/repo')).toThrow(/not a usable file:\/\/ location/);
  });

  it('refuses storage kinds it does not know, naming the kind and the kinds it knows', () => {
    expect(() => openBackend('webdav://host/backups')).toThrow(
      /storage kind 'webdav' is not supported: use a folder, sftp:/,
    );
    expect(() => openBackend('FTP://host/x')).toThrow("storage kind 'ftp' is not supported");
  });

  it('refuses memory: and an empty location', () => {
    expect(() => openBackend('memory:')).toThrow(/tests only/);
    expect(() => openBackend('')).toThrow(/no storage location/);
    expect(() => openBackend('   ')).toThrow(/no storage location/);
  });
});
