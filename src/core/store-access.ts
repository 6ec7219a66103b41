/**
 * How the inspection layer (the command line and the event browser) reaches a store's own connection
 * without widening {@link EventStore}: each store class of this package answers a method under this
 * symbol with what its inspector needs. Not part of the public API.
 */

/** The key of the method by which a store of this package hands its inspector its connection. */
export const storeAccess: unique symbol = Symbol.for("eventsourcing.storeAccess");
