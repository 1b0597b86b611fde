/**
 * What the VRRP trackers (core/app/track-*.ts) need from the machine: a command run for its exit status
 * (vrrp_script), the process table (vrrp_track_process) and a watch on files (track_file). The agent
 * passes adapters/system's; tests pass in-memory ones.
 */
import type { RunAs } from '../model/index.ts';

/** Runs a command for its exit status. */
export interface CommandCheck {
  /**
   * Resolves true iff the command exited 0 within `timeoutMs` (then it is killed: a failure). A user that
   * does not resolve is a failure, never a run as root. Never rejects.
   */
  run(argv: readonly string[], timeoutMs: number, runAs: RunAs | undefined): Promise<boolean>;
}

/** One running process as /proc shows it. */
export interface ProcessEntry {
  /** The kernel's command name (at most 15 bytes). */
  comm: string;
  /** Its arguments, argv[0] first. */
  argv: readonly string[];
}

export interface ProcessTable {
  /** The running processes whose comm `want` accepts (the others' arguments are never read). */
  list(want: (comm: string) => boolean): ProcessEntry[];
}

/** Files that hold a number (track_file). */
export interface TrackedFiles {
  /** The file's text, or undefined when it cannot be read. */
  read(path: string): string | undefined;
  /** Whether the file exists (init_file writes only a missing one, unless overwrite). */
  exists(path: string): boolean;
  /** Writes the file; throws with the reason when it cannot. */
  write(path: string, text: string): void;
  /**
   * Calls `onChange` whenever the file may have changed (inotify on its directory); returns the stop,
   * or throws when the directory cannot be watched (the caller then relies on polling).
   */
  watch(path: string, onChange: () => void): () => void;
}
