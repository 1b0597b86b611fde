/** Generic netlink: attribute and message framing (pure), nlctrl family lookup, and a socket connection. */
export * from './attrs.ts';
export * from './message.ts';
export * from './ctrl.ts';
export { GenlConnection, GenlError, errnoNames } from './connection.ts';
