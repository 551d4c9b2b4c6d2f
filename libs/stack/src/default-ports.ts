/**
 * The ports the api and the projector listen on when API_PORT / PROJECTOR_PORT leave them unset. They
 * live here, in a module that loads nothing, because both sides need them: the apps to listen (through
 * `#http`) and their clients to connect (the CLI, `npm start`, the projector's panel), and a client
 * must not load NestJS to learn a number.
 */
export const DEFAULT_API_PORT = 3000;
export const DEFAULT_PROJECTOR_PORT = 3001;
