/**
 * The commands of `cairn`, in the order `cairn help` lists them. Each command's module is loaded
 * only when it runs, so a command pays the start-up cost of its own code alone (a backup does
 * not load the web server). `summary` is what help prints; a test checks it against the module.
 */
import type { Command } from './commands/types.js';

export interface CommandEntry {
  name: string;
  summary: string;
  /** Opens a repository with its password: the CLI's entry starts the key derivation early (early-unlock.ts). */
  opensRepository?: true;
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'init',
    summary: 'create a new encrypted repository',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  {
    name: 'backup',
    opensRepository: true,
    summary: 'back up files and folders into a new recovery point',
    load: async () => (await import('./commands/backup.js')).backupCommand,
  },
  {
    name: 'watch',
    summary: 'watch folders so that backups read only what changed',
    load: async () => (await import('./commands/watch.js')).watchCommand,
  },
  {
    name: 'snapshots',
    opensRepository: true,
    summary: 'list recovery points',
    load: async () => (await import('./commands/snapshots.js')).snapshotsCommand,
  },
  {
    name: 'ls',
    opensRepository: true,
    summary: 'list files in a recovery point',
    load: async () => (await import('./commands/ls.js')).lsCommand,
  },
  {
    name: 'restore',
    opensRepository: true,
    summary: 'restore files from a recovery point into a folder',
    load: async () => (await import('./commands/restore.js')).restoreCommand,
  },
  {
    name: 'diff',
    opensRepository: true,
    summary: 'show what changed between two recovery points',
    load: async () => (await import('./commands/diff.js')).diffCommand,
  },
  {
    name: 'check',
    opensRepository: true,
    summary: 'verify the repository (structure; with --read-data all stored data)',
    load: async () => (await import('./commands/check.js')).checkCommand,
  },
  {
    name: 'forget',
    opensRepository: true,
    summary: 'remove recovery points by a retention policy or by id (--prune also frees their data)',
    load: async () => (await import('./commands/forget.js')).forgetCommand,
  },
  {
    name: 'prune',
    opensRepository: true,
    summary: 'remove stored data that no recovery point uses',
    load: async () => (await import('./commands/prune.js')).pruneCommand,
  },
  {
    name: 'repair',
    opensRepository: true,
    summary: 'repair a damaged repository: index (rebuild it from the packs), snapshots (drop lost files)',
    load: async () => (await import('./commands/repair.js')).repairCommand,
  },
  {
    name: 'stats',
    opensRepository: true,
    summary: 'show repository sizes, deduplication and compression',
    load: async () => (await import('./commands/stats.js')).statsCommand,
  },
  {
    name: 'key',
    opensRepository: true,
    summary: 'manage passwords (key slots): list, add, passwd, remove',
    load: async () => (await import('./commands/key.js')).keyCommand,
  },
  {
    name: 'pause',
    summary: 'pause scheduled backups for a time, until a time or until resumed (the app follows)',
    load: async () => (await import('./commands/pause.js')).pauseCommand,
  },
  {
    name: 'resume',
    summary: 'let paused scheduled backups run again (a slot missed meanwhile runs once)',
    load: async () => (await import('./commands/pause.js')).resumeCommand,
  },
  {
    name: 'serve',
    summary: 'run Cairn headless: the interface and API on a local web address',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  {
    name: 'audit',
    summary: 'show (list) or verify the audit trail of consent, settings, backups, restores, exports, keys',
    load: async () => (await import('./commands/audit.js')).auditCommand,
  },
  {
    name: 'consent',
    summary: 'list, give or withdraw consent (backup, usage-statistics)',
    load: async () => (await import('./commands/consent.js')).consentCommand,
  },
  {
    name: 'incident',
    summary: 'the incident register: list, open by hand, close with the measures taken',
    load: async () => (await import('./commands/incident.js')).incidentCommand,
  },
  {
    name: 'privacy',
    summary:
      'privacy records and rights: export, record, region, usage, erase, freeze, unfreeze, receipts, requests, controller, transfer',
    load: async () => (await import('./commands/privacy.js')).privacyCommand,
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: cairn completion bash|zsh|fish',
    load: async () => (await import('./commands/completion.js')).completionCommand,
  },
  {
    name: 'man',
    summary: 'print the manual page (roff): cairn man | man -l -',
    load: async () => (await import('./commands/man.js')).manCommand,
  },
  {
    name: 'help',
    summary: "show the commands, or a command's options: cairn help COMMAND (as cairn COMMAND --help)",
    load: async () => (await import('./commands/help.js')).helpCommand,
  },
  {
    name: 'version',
    summary: 'print the version',
    load: async () => (await import('./commands/version.js')).versionCommand,
  },
];
