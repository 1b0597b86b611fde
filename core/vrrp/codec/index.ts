export * from './constants.ts';
export * from './ip-address.ts';
export * from './checksum.ts';
export * from './advert.ts';
export * from './auth.ts';
export * from './reject-reason.ts';
export * from './encode.ts';
export * from './decode.ts';
