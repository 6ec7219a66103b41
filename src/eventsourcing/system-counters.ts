/** The running totals behind `systemStats()`, kept by the stable handle so they survive restarts. */
export class SystemCounters {
  commandsProcessed = 0;
  domainErrors = 0;
  conflictsRetried = 0;
  eventsCommitted = 0;
  aggregateCrashes = 0;
  queryFailures = 0;
  queryBatchesDropped = 0;
  restarts = 0;
  snapshotsTaken = 0;
  snapshotFailures = 0;
  snapshotsSkipped = 0;
  passivations = 0;
  queryEventsSkipped = 0;
}
