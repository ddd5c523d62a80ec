// What golive uses of jose: the bundle keeps these functions and what they
// need. src/oauth/jose.ts loads this file; the build gives it to any other
// import of jose too, with a warning (scripts/bundle-plugins.ts).
export { compactVerify, createLocalJWKSet, errors, jwtVerify, SignJWT } from 'jose';
