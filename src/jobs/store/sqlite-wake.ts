/**
 * Wake-ups across processes for a SQLite store: a signal file beside the database
 * (`jobs.sqlite3-wake`), whose modification time a process bumps after it commits jobs that are
 * runnable (an enqueue, a retry, a release), and which idle workers in every other process watch
 * (inotify on Linux, FSEvents or kqueue elsewhere: no polling, no cost while nothing happens).
 * The in-process wake-up (an EventEmitter) stays, and the workers' slow poll stays the safety net:
 * a file system that drops or never sends events (a network mount) costs latency, never a job.
 */
import { EventEmitter } from "node:events";
import { type FSWatcher, utimesSync, watch, writeFileSync } from "node:fs";

/** Per database file, in this process: listeners, and the watcher once someone listens. */
interface Channel {
  readonly local: EventEmitter;
  readonly file: string;
  watcher: FSWatcher | undefined;
  listeners: number;
}

const channels = new Map<string, Channel>();

function channelOf(database: string): Channel {
  let channel = channels.get(database);
  if (!channel) {
    channel = { local: new EventEmitter().setMaxListeners(0), file: `${database}-wake`, watcher: undefined, listeners: 0 };
    channels.set(database, channel);
  }
  return channel;
}

/** Tells this process's workers and, through the signal file, every other process's. */
export function signalJobs(database: string): void {
  const channel = channelOf(database);
  channel.local.emit("jobs");
  if (database === ":memory:") return;
  const now = new Date();
  try {
    utimesSync(channel.file, now, now);
  } catch {
    try {
      writeFileSync(channel.file, "");
    } catch {
      // A read-only directory: other processes' workers find the jobs at their next poll.
    }
  }
}

/** Calls `listener` when jobs become runnable, from this process or another; returns the unsubscribe. */
export function onJobs(database: string, listener: () => void): () => void {
  const channel = channelOf(database);
  channel.local.on("jobs", listener);
  channel.listeners += 1;
  if (database !== ":memory:") startWatching(channel);
  return () => {
    channel.local.off("jobs", listener);
    channel.listeners -= 1;
    if (channel.listeners === 0) stopWatching(channel);
  };
}

function startWatching(channel: Channel): void {
  if (channel.watcher) return;
  try {
    writeFileSync(channel.file, "", { flag: "a" });
    // Not persistent: a watcher never keeps a process alive (an app that only enqueues exits).
    channel.watcher = watch(channel.file, { persistent: false }, (event) => {
      channel.local.emit("jobs");
      // The file was replaced or deleted (a db:reset): watch the new one.
      if (event === "rename") {
        stopWatching(channel);
        if (channel.listeners > 0) setTimeout(() => restartWatching(channel), 100).unref();
      }
    });
    channel.watcher.on("error", () => stopWatching(channel));
  } catch {
    channel.watcher = undefined;
  }
}

/** Watches the new file, then wakes the listeners once: a signal may have come in between. */
function restartWatching(channel: Channel): void {
  if (channel.listeners === 0) return;
  startWatching(channel);
  channel.local.emit("jobs");
}

function stopWatching(channel: Channel): void {
  channel.watcher?.close();
  channel.watcher = undefined;
}
