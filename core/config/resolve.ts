/**
 * Resolve: schema-checked input -> the `Config` every engine consumes. Fills the defaults that depend on
 * other settings (global GARP timing, VRRP version by family, vrrp_strict consequences, the VS -> RS ->
 * checker cascade, per-checker retry defaults, connect address/port), applies keepalived's adjustments
 * with a warning each, and checks every cross-reference (sync group members, tracked scripts, groups, …)
 * with a "did you mean". Pure; idempotent on its own output.
 */
import type {
  Checker,
  Config,
  ConfigParsed,
  GlobalDefs,
  RealServer,
  VirtualServer,
  VrrpInstance,
} from '../model/index.ts';
import { ipFamily } from '../model/index.ts';
import type { Diagnostics, SourcePos } from './diagnostics.ts';
import { closest } from './suggest.ts';

/** Finds the source position of a model path (falls back to the nearest written parent). */
export type Locate = (path: ReadonlyArray<string | number>) => SourcePos;

type ParsedInstance = ConfigParsed['vrrpInstances'][string];
type ParsedVs = ConfigParsed['virtualServers'][number];
type ParsedRs = ParsedVs['realServers'][number];
type ParsedChecker = ParsedRs['checkers'][number];

class Resolver {
  private readonly diags: Diagnostics;
  private readonly locate: Locate;
  constructor(diags: Diagnostics, locate: Locate) {
    this.diags = diags;
    this.locate = locate;
  }

  /** `keepalivedError`: keepalived reports it as a configuration error (`keepalived -t` exits 5). */
  warn(
    path: ReadonlyArray<string | number>,
    keyword: string,
    message: string,
    keepalivedError = false,
  ): void {
    this.diags.warn(this.locate(path), { code: 'adjusted', keyword, message, keepalivedError });
  }

  error(
    path: ReadonlyArray<string | number>,
    keyword: string,
    message: string,
    extra: {
      code?: 'unknown-name' | 'missing-required' | 'duplicate' | 'bad-value';
      expected?: string;
      suggestion?: string;
    } = {},
  ): void {
    const { code = 'bad-value', ...rest } = extra;
    this.diags.error(this.locate(path), { code, keyword, message, ...rest });
  }

  /** Checks that `name` is one of `known`; reports an unknown name with the closest one. */
  ref(
    path: ReadonlyArray<string | number>,
    keyword: string,
    name: string,
    known: Record<string, unknown>,
    what: string,
    owner?: string,
  ): boolean {
    if (Object.hasOwn(known, name)) return true;
    const s = closest(name, Object.keys(known));
    const who = owner !== undefined ? `${keyword} ${owner}` : keyword;
    this.error(path, keyword, `${who} names ${what} '${name}', which is not defined`, {
      code: 'unknown-name',
      expected:
        Object.keys(known).length > 0 ? `one of ${Object.keys(known).join(', ')}` : `a defined ${what}`,
      ...(s !== undefined ? { suggestion: s } : {}),
    });
    return false;
  }

  global(g: ConfigParsed['globalDefs']): GlobalDefs {
    return {
      ...g,
      vrrpGarpLowerPrioDelay: g.vrrpGarpLowerPrioDelay ?? g.vrrpGarpMasterDelay,
      vrrpGarpLowerPrioRepeat: g.vrrpGarpLowerPrioRepeat ?? g.vrrpGarpMasterRepeat,
      vrrpLowerPrioNoAdvert: g.vrrpLowerPrioNoAdvert ?? g.vrrpStrict,
      vrrpOwnerIgnoreAdverts: g.vrrpOwnerIgnoreAdverts ?? g.vrrpStrict,
    };
  }

  instance(
    name: string,
    i: ParsedInstance,
    g: GlobalDefs,
    c: ConfigParsed,
    synced: boolean,
    syncWeights: boolean,
  ): VrrpInstance {
    const p = ['vrrpInstances', name];
    const families = new Set(i.virtualIpaddress.map((v) => ipFamily(v.address)));
    if (families.size > 1) {
      this.error(
        [...p, 'virtualIpaddress'],
        'virtual_ipaddress',
        'virtual_ipaddress mixes IPv4 and IPv6 addresses',
        {
          expected: 'one family per instance (put the others in virtual_ipaddress_excluded)',
        },
      );
    }
    const family =
      ipFamily(i.virtualIpaddress[0]?.address ?? '') ??
      ipFamily(i.unicastSrcIp ?? i.mcastSrcIp ?? '') ??
      'inet';
    const strict = i.strictMode ?? g.vrrpStrict;
    let version = i.version ?? (family === 'inet6' ? 3 : g.vrrpVersion);
    if (version === 2 && family === 'inet6') {
      this.error(
        [...p, 'version'],
        'version',
        'VRRPv2 carries only IPv4 addresses; this instance has IPv6 VIPs',
        {
          expected: 'version 3',
        },
      );
      version = 3;
    }
    if (i.interface === undefined && (i.unicastSrcIp === undefined || i.unicastPeers.length === 0)) {
      this.error(p, 'interface', `vrrp_instance ${name} has no interface`, {
        code: 'missing-required',
        expected: 'interface IF (or unicast_src_ip with unicast_peer)',
      });
    }
    let state = i.state ?? (i.priority === 255 ? 'MASTER' : 'BACKUP');
    let authentication = i.authentication;
    let nopreempt = i.nopreempt;
    let preemptDelay = i.preemptDelay;
    let advertInt = i.advertInt;
    if (strict) {
      if (state === 'MASTER' && i.priority !== 255) {
        this.warn(
          [...p, 'state'],
          'state',
          'vrrp_strict: state MASTER needs priority 255; keepalived starts it as BACKUP',
          true,
        );
        state = 'BACKUP';
      }
      if (authentication) {
        this.warn(
          [...p, 'authentication'],
          'authentication',
          'vrrp_strict: keepalived removes authentication',
          true,
        );
        authentication = undefined;
      }
      if (i.unicastPeers.length > 0) {
        this.error(
          [...p, 'unicastPeers'],
          'unicast_peer',
          'vrrp_strict does not allow unicast peers (keepalived rejects the instance)',
        );
      }
      if (i.virtualIpaddress.length === 0) {
        this.error(p, 'virtual_ipaddress', 'vrrp_strict requires at least one virtual_ipaddress', {
          code: 'missing-required',
        });
      }
      if (i.noVirtualIpaddress)
        this.error(
          [...p, 'noVirtualIpaddress'],
          'no_virtual_ipaddress',
          'vrrp_strict does not allow no_virtual_ipaddress',
        );
      if (i.downTimerAdverts !== undefined && i.downTimerAdverts !== 3) {
        this.error(
          [...p, 'downTimerAdverts'],
          'down_timer_adverts',
          'vrrp_strict requires down_timer_adverts 3',
          { expected: '3' },
        );
      }
      if (family === 'inet6' && i.virtualIpaddress[0] && !/^fe[89ab]/i.test(i.virtualIpaddress[0].address)) {
        this.error(
          [...p, 'virtualIpaddress', 0],
          'virtual_ipaddress',
          'vrrp_strict: the first IPv6 VIP must be link-local',
        );
      }
    } else if (i.virtualIpaddress.length === 0 && !i.noVirtualIpaddress) {
      if (version === 3) {
        this.error(p, 'virtual_ipaddress', `vrrp_instance ${name} (VRRPv3) has no virtual_ipaddress`, {
          code: 'missing-required',
          expected: 'virtual_ipaddress { … } or no_virtual_ipaddress',
        });
      } else this.warn(p, 'virtual_ipaddress', `vrrp_instance ${name} has no virtual_ipaddress`);
    }
    if (authentication) {
      if (version === 3) {
        this.warn(
          [...p, 'authentication'],
          'authentication',
          'authentication is VRRPv2 only; keepalived ignores it with version 3',
        );
        authentication = undefined;
      } else if (authentication.type === 'AH' && state === 'MASTER') {
        this.warn(
          [...p, 'state'],
          'state',
          'state MASTER is incompatible with AH authentication; keepalived clears it to BACKUP',
          true,
        );
        state = 'BACKUP';
      } else if (authentication.type === 'PASS' && authentication.password.length > 8) {
        this.warn(
          [...p, 'authentication', 'password'],
          'auth_pass',
          'auth_pass is longer than 8 characters; keepalived uses only the first 8',
          true,
        );
        authentication = { ...authentication, password: authentication.password.slice(0, 8) };
      }
    }
    if (nopreempt && (state === 'MASTER' || i.priority === 255)) {
      this.warn(
        [...p, 'nopreempt'],
        'nopreempt',
        'nopreempt has no effect with state MASTER or priority 255; keepalived clears it',
      );
      nopreempt = false;
    }
    if (preemptDelay > 0 && (state === 'MASTER' || nopreempt || strict)) {
      this.warn(
        [...p, 'preemptDelay'],
        'preempt_delay',
        'preempt_delay is cleared with state MASTER, nopreempt or vrrp_strict',
      );
      preemptDelay = 0;
    }
    if (version === 2 && !Number.isInteger(advertInt)) {
      const r = Math.max(1, Math.round(advertInt));
      this.warn(
        [...p, 'advertInt'],
        'advert_int',
        `VRRPv2 advert_int must be whole seconds; ${advertInt} is rounded to ${r}`,
      );
      advertInt = r;
    } else if (version === 3) {
      if (advertInt > 40.95) {
        this.error([...p, 'advertInt'], 'advert_int', `VRRPv3 advert_int ${advertInt} is above 40.95 s`, {
          expected: '0.01..40.95',
        });
      }
      const r = Math.max(0.01, Math.round(advertInt * 100) / 100);
      if (r !== advertInt) {
        this.warn(
          [...p, 'advertInt'],
          'advert_int',
          `VRRPv3 advert_int is in centiseconds; ${advertInt} is rounded to ${r}`,
        );
        advertInt = r;
      }
    }
    let accept = i.accept ?? (i.priority === 255 || !strict);
    if (accept && strict && i.priority !== 255 && version === 2) {
      this.warn(
        [...p, 'accept'],
        'accept',
        'vrrp_strict: accept mode with VRRPv2 does not comply with RFC 3768; keepalived resets it',
        true,
      );
      accept = false;
    }
    const dev = i.interface ?? g.defaultInterface;
    const vips = (list: ParsedInstance['virtualIpaddress']) =>
      list.map((v) => {
        const out = { ...v, dev: v.dev ?? dev };
        if (ipFamily(v.address) === 'inet6' && v.prefix === 128 && v.preferredLft === undefined)
          out.preferredLft = 0;
        return out;
      });
    const trackers = this.trackers(p, i, c, i.priority === 255, synced && !syncWeights);
    return {
      ...i,
      ...trackers,
      state,
      version,
      advertInt,
      nopreempt,
      preemptDelay,
      authentication,
      downTimerAdverts: i.downTimerAdverts ?? g.vrrpDownTimerAdverts,
      checkUnicastSrc: i.checkUnicastSrc ?? g.vrrpCheckUnicastSrc,
      mcastDstIp: i.mcastDstIp ?? (family === 'inet6' ? g.vrrpMcastGroup6 : g.vrrpMcastGroup4),
      v3ChecksumAsV2: i.v3ChecksumAsV2 ?? g.v3ChecksumAsV2,
      accept,
      virtualIpaddress: vips(i.virtualIpaddress),
      virtualIpaddressExcluded: vips(i.virtualIpaddressExcluded),
      garpMasterDelay: i.garpMasterDelay ?? g.vrrpGarpMasterDelay,
      garpMasterRepeat: i.garpMasterRepeat ?? g.vrrpGarpMasterRepeat,
      garpMasterRefresh: i.garpMasterRefresh ?? g.vrrpGarpMasterRefresh,
      garpMasterRefreshRepeat: i.garpMasterRefreshRepeat ?? g.vrrpGarpMasterRefreshRepeat,
      garpLowerPrioDelay: i.garpLowerPrioDelay ?? (strict ? 0 : g.vrrpGarpLowerPrioDelay),
      garpLowerPrioRepeat: i.garpLowerPrioRepeat ?? (strict ? 0 : g.vrrpGarpLowerPrioRepeat),
      garpExtraIf: i.garpExtraIf ?? g.vrrpGarpExtraIf,
      lowerPrioNoAdvert: strict ? true : (i.lowerPrioNoAdvert ?? g.vrrpLowerPrioNoAdvert),
      higherPrioSendAdvert: strict ? false : (i.higherPrioSendAdvert ?? g.vrrpHigherPrioSendAdvert),
      ownerIgnoreAdverts: i.ownerIgnoreAdverts ?? (strict || g.vrrpOwnerIgnoreAdverts),
      skipCheckAdvAddr: i.skipCheckAdvAddr ?? g.vrrpSkipCheckAdvAddr,
      strictMode: strict,
      notifyPriorityChanges: i.notifyPriorityChanges ?? g.vrrpNotifyPriorityChanges,
      smtpAlert: i.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false,
    };
  }

  /** Checks tracker names, fills inherited weights, drops weighted trackers where keepalived does. */
  trackers<
    T extends Pick<
      ParsedInstance,
      'trackScript' | 'trackFile' | 'trackProcess' | 'trackBfd' | 'trackInterface'
    >,
  >(
    p: string[],
    i: T,
    c: ConfigParsed,
    owner: boolean,
    dropWeighted: boolean,
  ): Pick<T, 'trackScript' | 'trackFile' | 'trackProcess' | 'trackBfd' | 'trackInterface'> {
    const one = (
      field: 'trackScript' | 'trackFile' | 'trackProcess' | 'trackBfd',
      kw: string,
      known: Record<string, { weight?: number | undefined; reverse?: boolean }>,
      what: string,
    ) =>
      i[field].flatMap((t, k) => {
        if (!this.ref([...p, field, k], kw, t.name, known, what)) return [];
        const target = known[t.name];
        const weight = t.weight ?? target?.weight ?? 0;
        const reverse = t.weight === undefined ? (target?.reverse ?? t.reverse) : t.reverse;
        if (weight !== 0 && (owner || dropWeighted)) {
          this.warn(
            [...p, field, k],
            kw,
            owner
              ? `weighted ${kw} '${t.name}' is removed: priority 255 never changes`
              : `weighted ${kw} '${t.name}' is removed in a sync group without sync_group_tracking_weight`,
          );
          return [];
        }
        return [{ ...t, weight, reverse }];
      });
    const trackInterface = i.trackInterface.filter((t, k) => {
      if (t.weight !== 0 && (owner || dropWeighted)) {
        this.warn(
          [...p, 'trackInterface', k],
          'track_interface',
          `weighted track_interface '${t.name}' is removed`,
        );
        return false;
      }
      return true;
    });
    return {
      trackInterface,
      trackScript: one('trackScript', 'track_script', c.vrrpScripts, 'vrrp_script'),
      trackFile: one('trackFile', 'track_file', c.trackFiles, 'track_file'),
      trackProcess: one('trackProcess', 'track_process', c.trackProcesses, 'vrrp_track_process'),
      trackBfd: one('trackBfd', 'track_bfd', c.bfdInstances, 'bfd_instance'),
    };
  }

  virtualServer(k: number, vs: ParsedVs, g: GlobalDefs, c: ConfigParsed): VirtualServer {
    const p = ['virtualServers', k];
    const svc = vs.service;
    let vsPort = 0;
    let vsFamily: 'inet' | 'inet6' | undefined = vs.ipFamily;
    if (svc.kind === 'group')
      this.ref(
        [...p, 'service', 'group'],
        'virtual_server group',
        svc.group,
        c.virtualServerGroups,
        'virtual_server_group',
      );
    if (svc.kind === 'address') {
      vsPort = svc.port;
      vsFamily = ipFamily(svc.address);
    }
    let persistenceTimeout = vs.persistenceTimeout;
    if (svc.kind === 'address' && svc.port === 0 && persistenceTimeout === undefined) {
      this.warn(
        [...p, 'service'],
        'virtual_server',
        'port 0 is only valid for a persistent service; persistence_timeout is set to 360 as keepalived does',
      );
      persistenceTimeout = 360;
    }
    if (svc.kind === 'fwmark' && vs.protocol !== undefined) {
      this.warn([...p, 'protocol'], 'protocol', 'protocol is ignored for a fwmark service', true);
    }
    const realServers: RealServer[] = [];
    const seen = new Set<string>();
    vs.realServers.forEach((rs, j) => {
      const r = this.realServer([...p, 'realServers', j], rs, vs, svc.kind, vsPort, vsFamily, g, c);
      const key = `${r.address}|${r.port}`;
      if (seen.has(key)) {
        this.warn(
          [...p, 'realServers', j],
          'real_server',
          `duplicate real_server ${r.address} ${r.port} is removed`,
        );
        return;
      }
      seen.add(key);
      realServers.push(r);
    });
    let quorum = vs.quorum;
    let hysteresis = vs.hysteresis;
    const total = realServers.reduce((s, r) => s + r.weight, 0);
    if (realServers.length > 0 && total > 0 && quorum > total) {
      this.warn(
        [...p, 'quorum'],
        'quorum',
        `quorum ${quorum} is above the total real server weight ${total}; clamped to ${total}`,
      );
      quorum = total;
    }
    if (hysteresis > 0 && hysteresis >= quorum) {
      this.warn(
        [...p, 'hysteresis'],
        'hysteresis',
        `hysteresis ${hysteresis} is clamped to quorum-1 (${quorum - 1})`,
      );
      hysteresis = quorum - 1;
    }
    return { ...vs, protocol: vs.protocol ?? 'UDP', persistenceTimeout, quorum, hysteresis, realServers };
  }

  realServer(
    p: Array<string | number>,
    rs: ParsedRs,
    vs: ParsedVs,
    kind: ParsedVs['service']['kind'],
    vsPort: number,
    vsFamily: 'inet' | 'inet6' | undefined,
    g: GlobalDefs,
    c: ConfigParsed,
  ): RealServer {
    const forwarding = rs.forwarding ?? vs.forwarding;
    let port = rs.port ?? (kind === 'address' ? vsPort : 0);
    if (kind === 'address' && forwarding.method !== 'NAT' && port !== vsPort) {
      this.warn(
        [...p, 'port'],
        'real_server',
        `with ${forwarding.method} the real server port must equal the virtual server port; ${port} is reset to ${vsPort}`,
      );
      port = vsPort;
    }
    if (kind === 'fwmark' && forwarding.method !== 'NAT' && port !== 0) {
      this.warn(
        [...p, 'port'],
        'real_server',
        'the real server port is cleared for a fwmark service (not NAT)',
      );
      port = 0;
    }
    const fam = ipFamily(rs.address);
    if (vsFamily !== undefined && fam !== vsFamily && forwarding.method !== 'TUN') {
      this.error(
        [...p, 'address'],
        'real_server',
        `real server ${rs.address} is not in the virtual server's address family`,
        {
          expected: vsFamily === 'inet' ? 'an IPv4 address' : 'an IPv6 address',
        },
      );
    }
    const base = { ...rs, port };
    const checkers = rs.checkers.map((ck, k) => this.checker([...p, 'checkers', k], ck, base, vs, g, c));
    return {
      ...rs,
      port,
      weight: rs.weight ?? vs.weight,
      forwarding,
      inhibitOnFailure: rs.inhibitOnFailure ?? vs.inhibitOnFailure,
      smtpAlert: rs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert ?? true,
      checkers,
    };
  }

  checker(
    p: Array<string | number>,
    ck: ParsedChecker,
    rs: ParsedRs & { port: number },
    vs: ParsedVs,
    g: GlobalDefs,
    c: ConfigParsed,
  ): Checker {
    if (ck.type === 'FILE_CHECK') {
      this.ref([...p, 'trackFile'], 'FILE_CHECK track_file', ck.trackFile, c.trackFiles, 'track_file');
      return ck;
    }
    const alpha = ck.alpha ?? rs.alpha ?? vs.alpha;
    if (ck.type === 'BFD_CHECK') {
      this.ref([...p, 'name'], 'BFD_CHECK name', ck.name, c.bfdInstances, 'bfd_instance');
      return { ...ck, alpha };
    }
    const delayLoop = ck.delayLoop ?? rs.delayLoop ?? vs.delayLoop;
    const retryDefault = ck.type === 'MISC_CHECK' ? 0 : ck.type === 'DNS_CHECK' ? 3 : 1;
    const dbrDefault =
      ck.type === 'HTTP_GET' || ck.type === 'SSL_GET' ? 3 : ck.type === 'DNS_CHECK' ? delayLoop : 1;
    const timing = {
      delayLoop,
      connectTimeout: ck.connectTimeout ?? rs.connectTimeout ?? vs.connectTimeout,
      retry: ck.retry ?? rs.retry ?? vs.retry ?? retryDefault,
      delayBeforeRetry: ck.delayBeforeRetry ?? rs.delayBeforeRetry ?? vs.delayBeforeRetry ?? dbrDefault,
      warmup: ck.warmup ?? rs.warmup ?? vs.warmup ?? delayLoop,
      alpha,
      logAllFailures: ck.logAllFailures ?? g.checkerLogAllFailures,
    };
    if (ck.type === 'MISC_CHECK') return { ...ck, ...timing, miscTimeout: ck.miscTimeout ?? delayLoop };
    const conn = { connectIp: ck.connectIp ?? rs.address, connectPort: ck.connectPort ?? rs.port };
    if (ck.type === 'HTTP_GET' || ck.type === 'SSL_GET') {
      const virtualhost = ck.virtualhost ?? rs.virtualhost ?? vs.virtualhost;
      // No status_code means keepalived's 200-299.
      const url = ck.url.map((u) =>
        u.statusCode.length > 0 ? u : { ...u, statusCode: [{ from: 200, to: 299 }] },
      );
      return { ...ck, ...timing, ...conn, url, ...(virtualhost !== undefined ? { virtualhost } : {}) };
    }
    return { ...ck, ...timing, ...conn };
  }

  run(c: ConfigParsed): Config {
    const g = this.global(c.globalDefs);
    const memberOf = new Map<string, string>();
    const emptyGroups = new Set<string>();
    for (const [name, sg] of Object.entries(c.vrrpSyncGroups)) {
      if (sg.group.length === 0 && this.diags.lenient) {
        this.warn(
          ['vrrpSyncGroups', name],
          'vrrp_sync_group',
          `vrrp_sync_group ${name} has no members; removed (--lenient)`,
        );
        emptyGroups.add(name);
      } else if (sg.group.length === 0) {
        this.error(['vrrpSyncGroups', name], 'vrrp_sync_group', `vrrp_sync_group ${name} has no members`, {
          code: 'missing-required',
          expected: 'group { INSTANCE … }',
        });
      }
      sg.group.forEach((member, k) => {
        if (
          !this.ref(
            ['vrrpSyncGroups', name, 'group', k],
            'vrrp_sync_group',
            member,
            c.vrrpInstances,
            'vrrp_instance',
            name,
          )
        )
          return;
        const other = memberOf.get(member);
        if (other !== undefined) {
          this.error(
            ['vrrpSyncGroups', name, 'group', k],
            'vrrp_sync_group',
            `vrrp_instance ${member} is already in sync group ${other}`,
            {
              code: 'duplicate',
            },
          );
        }
        memberOf.set(member, name);
      });
    }
    const vrrpSyncGroups = Object.fromEntries(
      Object.entries(c.vrrpSyncGroups)
        .filter(([name]) => !emptyGroups.has(name))
        .map(([name, sg]) => [
          name,
          { ...sg, ...this.trackers(['vrrpSyncGroups', name], sg, c, false, false) },
        ]),
    );
    const vrrpInstances: Record<string, VrrpInstance> = {};
    for (const [name, inst] of Object.entries(c.vrrpInstances)) {
      const group = memberOf.get(name);
      const syncWeights = group !== undefined && (c.vrrpSyncGroups[group]?.syncGroupTrackingWeight ?? false);
      vrrpInstances[name] = this.instance(name, inst, g, c, group !== undefined, syncWeights);
    }
    this.checkVrids(vrrpInstances);
    if (g.lvsSyncDaemon) {
      this.ref(
        ['globalDefs', 'lvsSyncDaemon', 'vrrpInstance'],
        'lvs_sync_daemon',
        g.lvsSyncDaemon.vrrpInstance,
        c.vrrpInstances,
        'vrrp_instance',
      );
    }
    for (const [name, tg] of Object.entries(c.trackGroups)) {
      tg.group.forEach((m, k) =>
        this.ref(['trackGroups', name, 'group', k], 'track_group', m, c.vrrpInstances, 'vrrp_instance'),
      );
    }
    c.staticIpaddress.forEach((a, k) => {
      if (a.trackGroup !== undefined)
        this.ref(
          ['staticIpaddress', k, 'trackGroup'],
          'track_group',
          a.trackGroup,
          c.trackGroups,
          'track_group',
        );
    });
    const vrrpScripts = Object.fromEntries(
      Object.entries(c.vrrpScripts).map(([n, s]) => [n, { ...s, timeout: s.timeout ?? s.interval }]),
    );
    const virtualServers = c.virtualServers.map((vs, k) => this.virtualServer(k, vs, g, c));
    const seenVs = new Map<string, number>();
    virtualServers.forEach((vs, k) => {
      const s = vs.service;
      const key =
        s.kind === 'address'
          ? `${vs.protocol} ${s.address} ${s.port}`
          : s.kind === 'fwmark'
            ? `fwmark ${s.fwmark}`
            : `group ${s.group} ${vs.protocol}`;
      const first = seenVs.get(key);
      if (first !== undefined) {
        this.error(
          ['virtualServers', k],
          'virtual_server',
          `this virtual_server repeats virtual_server #${first + 1} (${key})`,
          {
            code: 'duplicate',
            expected: 'one virtual_server per address, port and protocol',
          },
        );
      } else seenVs.set(key, k);
    });
    const out: Config = {
      ...c,
      globalDefs: g,
      vrrpScripts,
      vrrpSyncGroups,
      vrrpInstances,
      virtualServers,
      staticIpaddress: c.staticIpaddress.map((a) => ({ ...a, dev: a.dev ?? g.defaultInterface })),
    };
    return out;
  }

  /** A VRID must be unique per interface, family and multicast group (unicast instances need disjoint peers). */
  checkVrids(instances: Record<string, VrrpInstance>): void {
    const seen = new Map<string, string>();
    for (const [name, i] of Object.entries(instances)) {
      const fam = ipFamily(i.virtualIpaddress[0]?.address ?? '') ?? 'inet';
      const where =
        i.unicastPeers.length > 0
          ? `unicast:${i.unicastPeers
              .map((u) => u.address)
              .sort()
              .join(',')}`
          : `mcast:${i.mcastDstIp}`;
      const key = `${i.interface ?? i.vrf ?? ''}|${fam}|${i.virtualRouterId}|${where}`;
      const other = seen.get(key);
      if (other !== undefined) {
        this.error(
          ['vrrpInstances', name, 'virtualRouterId'],
          'virtual_router_id',
          `virtual_router_id ${i.virtualRouterId} is already used by vrrp_instance ${other} on the same interface`,
          {
            code: 'duplicate',
            expected: 'a VRID unique per interface and family',
          },
        );
      } else seen.set(key, name);
    }
  }
}

/** Resolves a schema-checked configuration; problems go to `diags`, positions come from `locate`. */
export function resolveParsed(parsed: ConfigParsed, diags: Diagnostics, locate: Locate): Config {
  return new Resolver(diags, locate).run(parsed);
}
