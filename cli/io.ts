/** Where a command writes: stdout for its result, stderr for progress and errors. Tests pass their own. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Answers a yes/no question; undefined when there is no terminal to ask. */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Resolves when the user asks to stop (Ctrl-C), for long-running commands. */
  readonly interrupted?: Promise<void>;
}

/** A command: its --help text, and what it does. Resolves to the exit code. */
export interface Command {
  readonly help: string;
  run(argv: string[], io: CommandIo): Promise<number>;
}
