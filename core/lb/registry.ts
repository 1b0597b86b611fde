import { dh } from './schedulers/dh.ts';
import { fo } from './schedulers/fo.ts';
import { lblc } from './schedulers/lblc.ts';
import { lblcr } from './schedulers/lblcr.ts';
import { lc } from './schedulers/lc.ts';
import { mh } from './schedulers/mh.ts';
import { nq } from './schedulers/nq.ts';
import { ovf } from './schedulers/ovf.ts';
import { rr } from './schedulers/rr.ts';
import { sed } from './schedulers/sed.ts';
import { sh } from './schedulers/sh.ts';
import { twos } from './schedulers/twos.ts';
import { wlc } from './schedulers/wlc.ts';
import { wrr } from './schedulers/wrr.ts';
import { SCHEDULER_NAMES } from './types.ts';
import type { AnyScheduler, SchedulerName } from './types.ts';

/** Every scheduler, by its IPVS name (as keepalived's `lb_algo` names them). */
export const schedulers: Readonly<Record<SchedulerName, AnyScheduler>> = {
  rr,
  wrr,
  lc,
  wlc,
  sed,
  nq,
  dh,
  sh,
  lblc,
  lblcr,
  mh,
  fo,
  ovf,
  twos,
};

export const isSchedulerName = (name: unknown): name is SchedulerName =>
  typeof name === 'string' && (SCHEDULER_NAMES as readonly string[]).includes(name);
