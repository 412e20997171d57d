// Types of the vendored ES module build beside this file: the npm package's own declarations.
export * from 'signature_pad';
export { default } from 'signature_pad';
