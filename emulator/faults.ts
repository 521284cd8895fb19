import { EmulatorError } from './errors';

/** A fault to inject into matching calls. */
export interface FaultRule {
  /** The operation to fail, e.g. 'PutSecretValue'. @default every operation */
  readonly operation?: string;
  /** Let this many matching calls through before failing. @default 0 */
  readonly after?: number;
  /** How many matching calls fail. @default 1 */
  readonly times?: number;
  /**
   * The error to answer with. 'ThrottlingException' is retried by the AWS SDK;
   * 'InternalServiceError' answers HTTP 500.
   * @default 'InternalServiceError'
   */
  readonly error?: string;
  /** The error message. @default a message saying the fault was injected */
  readonly message?: string;
  /** Wait this long before answering (or failing), in milliseconds. @default 0 */
  readonly delayMs?: number;
}

interface ActiveRule extends FaultRule {
  skip: number;
  remaining: number;
}

/** Faults injected on demand, for reliability tests. */
export class Faults {
  private rules: ActiveRule[] = [];

  /** Adds a rule; rules are checked in the order they were added. */
  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, skip: rule.after ?? 0, remaining: rule.times ?? 1 });
  }

  /** Throttles the next `times` calls (to `operation`, or any). */
  throttle(times = 1, operation?: string): void {
    this.inject({ operation, times, error: 'ThrottlingException', message: 'Rate exceeded' });
  }

  /** Removes every rule: calls succeed again. */
  clear(): void {
    this.rules = [];
  }

  /** Applies the first rule that matches `operation`: waits, then throws if the rule fails the call. */
  async apply(operation: string): Promise<void> {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.operation === undefined || r.operation === operation));
    if (!rule) return;
    if (rule.skip > 0) {
      rule.skip -= 1;
      return;
    }
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    if (rule.delayMs) await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
    if (rule.error === undefined && rule.delayMs) return;
    const type = rule.error ?? 'InternalServiceError';
    throw new EmulatorError(type, rule.message ?? `Fault injected by the emulator into ${operation}.`, type === 'InternalServiceError' ? 500 : 400);
  }
}
