/** adapters/probes: keepalived's checkers on the wire, behind the Probe port, and a real-time driver. */
export { tcpProbe } from './tcp.ts';
export { httpProbe, httpRequestText, regexMatches, regexSubject, regexKeepBytes } from './http.ts';
export { miscProbe, MISC_KILL_GRACE_MS } from './misc.ts';
export { dnsProbe } from './dns.ts';
export { encodeQuery, decodeHeader, encodeName, DNS_TYPES } from './dns-codec.ts';
export { smtpProbe } from './smtp.ts';
export { udpProbe, matchesReplyPattern } from './udp.ts';
export { pingProbe, pingArgs } from './ping.ts';
export { fileProbe } from './file.ts';
export { bfdProbe, type BfdStateLookup } from './bfd.ts';
export {
  createProbeRunner,
  runOne,
  type ProbeRunner,
  type ProbeRunnerOptions,
  type TcpCheck,
} from './runner.ts';
export { driveHealth, type HealthDriver, type DriverOptions } from './driver.ts';
export { openStream, connectDatagram, needsOpener, peerHost, type ProbeSocketOpener } from './socket-open.ts';
