declare module 'elkjs/lib/elk-api.js' {
  import type { ELK, ELKConstructorArguments } from 'elkjs/lib/elk-api';
  const ELKApi: new (args?: ELKConstructorArguments) => ELK;
  export default ELKApi;
}
