// The glob matcher lives in common/ so that config/ (CONFIG GET) and the server's commands share the one
// implementation; the keyspace's commands import it from here.
export {cPattern, globMatch} from '../../common/glob.js'
