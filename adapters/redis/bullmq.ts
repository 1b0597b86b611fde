/**
 * The BullMQ classes a function uses (a Queue to list jobs, a Worker to drain), for `import()` on first
 * use: a function's cold start adds its job without BullMQ (./bull-add.ts), and an Azure or GCP function
 * app, one module for its HTTP and timer triggers, should not load BullMQ for an HTTP request.
 * Imported through this module rather than as `import('bullmq')`, which would bundle all of BullMQ
 * (its PostgreSQL backend, flows, sandboxes) where only these are used.
 * test/infra/build-functions.test.ts checks what the HTTP handlers load.
 */
export { Queue, UnrecoverableError, Worker } from 'bullmq';
