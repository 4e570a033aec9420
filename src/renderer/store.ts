/**
 * The renderer's state (zustand): the app status from `app.status` with its loading/error state,
 * tasks kept current by `task.updated` events, the open incidents, the screen shown, and
 * `request`, the one way screens call the contract (a refused token flips the whole app).
 */
import type { z } from 'zod';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ContractClient } from '../contract/client.js';
import type { MethodName, Params, Result } from '../contract/methods.js';
import type { AppStatus, Incident, Task } from '../contract/schemas.js';
import { NotAuthorizedError, toContractError } from './api/transport.js';

export type AppStatusData = z.output<typeof AppStatus>;
export type TaskData = z.output<typeof Task>;
export type IncidentData = z.output<typeof Incident>;

export type LoadState = { state: 'loading' } | { state: 'ready' } | { state: 'error'; message: string };

/** The app's screens (App.tsx maps each to its title and view): navigating elsewhere does not compile. */
export type ScreenId = 'dashboard' | 'recovery-points' | 'restore' | 'retention' | 'privacy' | 'settings' | 'first-run';

export interface AppState {
  status: AppStatusData | null;
  load: LoadState;
  /** Set once the server refused the token: nothing else can work until the page is reopened. */
  notAuthorized: boolean;
  /** Tasks by id, newest information wins. */
  tasks: Record<string, TaskData>;
  /** The live event stream is down (the server stopped or the network broke). */
  eventsDisconnected: boolean;
  /** Open incidents for the banner: from 'incidents.list' at start, then 'incidents.changed' events. */
  openIncidents: IncidentData[];
  loadIncidents(): Promise<void>;
  applyIncidents(incidents: IncidentData[]): void;

  loadStatus(): Promise<void>;
  applyStatus(status: AppStatusData): void;
  applyTask(task: TaskData): void;
  setEventsDisconnected(disconnected: boolean): void;
  /** Starts a backup of every unlocked repository; resolves to the error message of any that failed. */
  backUpNow(): Promise<string[]>;
  connect(params: Params<'repo.connect'>): Promise<Result<'repo.connect'>>;
  /** The screen shown (see App.tsx SCREENS) and what another screen handed to it. */
  screen: ScreenId;
  navigate(screen: ScreenId, handoff?: Handoff): void;
  handoff: Handoff | null;
  unlock(params: Params<'repo.unlock'>): Promise<Result<'repo.unlock'>>;
  /**
   * Any contract call, for the screens (their data loads through useRequest with it); a refused
   * token switches the app to its "not authorized" page.
   */
  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
}

export type AppStore = StoreApi<AppState>;

/** The pages of the Privacy screen: a summary first, each record one click away. */
export type PrivacyPage = 'summary' | 'requests' | 'erase' | 'usage' | 'audit' | 'records';

/** What one screen hands to another, e.g. "restore from this recovery point". */
export interface Handoff {
  repositoryId?: string;
  snapshotId?: string;
  paths?: string[];
  /**
   * Put the cursor there: `unlock`, the repository's unlock form (destination.ts, the Dashboard's
   * status card); `check`, its Check now buttons; `folders`, its Add a folder form.
   */
  focus?: 'unlock' | 'check' | 'folders';
  /** Which page of the Privacy screen to show (privacy/Privacy.tsx; default its summary). */
  privacyPage?: PrivacyPage;
}

const ACTIVE: ReadonlySet<TaskData['status']> = new Set(['queued', 'running', 'cancelling']);

export function isActive(task: TaskData): boolean {
  return ACTIVE.has(task.status);
}

export function createAppStore(client: ContractClient): AppStore {
  return createStore<AppState>()((set, get) => {
    /** Runs a call; a refused token flips the app into its "not authorized" screen. */
    async function guard<T>(run: () => Promise<T>): Promise<T> {
      try {
        return await run();
      } catch (error) {
        const converted = toContractError(error);
        if (converted instanceof NotAuthorizedError) set({ notAuthorized: true });
        throw converted;
      }
    }

    return {
      status: null,
      load: { state: 'loading' },
      notAuthorized: false,
      tasks: {},
      eventsDisconnected: false,
      openIncidents: [],
      screen: 'dashboard',
      handoff: null,

      navigate(screen, handoff) {
        set({ screen, handoff: handoff ?? null });
      },

      async loadStatus() {
        // A refresh keeps the screen; only a first load (or a retry after an error) shows "Loading".
        if (get().load.state !== 'ready') set({ load: { state: 'loading' } });
        try {
          const [status, tasks] = await Promise.all([
            guard(() => client.call('app.status', {})),
            guard(() => client.call('tasks.list', { limit: 50 })),
          ]);
          const byId: Record<string, TaskData> = {};
          for (const task of tasks) byId[task.id] = task;
          set({ status, tasks: { ...get().tasks, ...byId }, load: { state: 'ready' } });
        } catch (error) {
          set({ load: { state: 'error', message: (error as Error).message } });
        }
      },

      applyStatus(status) {
        set({ status, load: { state: 'ready' } });
      },

      applyTask(task) {
        set({ tasks: { ...get().tasks, [task.id]: task } });
      },

      async loadIncidents() {
        try {
          set({ openIncidents: await guard(() => client.call('incidents.list', { openOnly: true })) });
        } catch {
          // The banner is a reminder; the Privacy screen shows the register and any error loading it.
        }
      },

      applyIncidents(incidents) {
        set({ openIncidents: incidents.filter((incident) => incident.status === 'open') });
      },

      setEventsDisconnected(disconnected) {
        set({ eventsDisconnected: disconnected });
      },

      async backUpNow() {
        const unlocked = get().status?.repositories.filter((repo) => repo.unlocked) ?? [];
        const failures: string[] = [];
        for (const repo of unlocked) {
          try {
            const { taskId } = await guard(() => client.call('backup.start', { repositoryId: repo.id }));
            // Show the task at once; its progress then arrives as `task.updated` events.
            const task = await guard(() => client.call('tasks.get', { id: taskId }));
            if (!get().tasks[task.id]) get().applyTask(task);
          } catch (error) {
            failures.push(`${repo.label}: ${(error as Error).message}`);
          }
        }
        return failures;
      },

      async connect(params) {
        const info = await guard(() => client.call('repo.connect', params));
        await get().loadStatus();
        return info;
      },

      async unlock(params) {
        const info = await guard(() => client.call('repo.unlock', params));
        await get().loadStatus();
        return info;
      },

      request(method, params) {
        return guard(() => client.call(method, params));
      },
    };
  });
}
