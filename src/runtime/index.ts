/**
 * The runtime: mailboxes, clocks and supervisors. Generic: it knows nothing of events, and anything that
 * can start and stop can be supervised.
 *
 * @module
 */
export type {
  ChildContext,
  ChildSpec,
  ChildStatus,
  RestartType,
  RunningChild,
  StopReason,
} from "./child-spec.js";
export { type Clock, type ManualClock, manualClock, systemClock, type TimerHandle } from "./clock.js";
export { Mailbox } from "./mailbox.js";
export {
  createSupervisor,
  type Strategy,
  type Supervisor,
  type SupervisorBuilder,
  type SupervisorOptions,
} from "./supervisor.js";
