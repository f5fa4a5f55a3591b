// The <COMMAND> HELP reply (server.c addReplyHelp): a header line, the subcommand lines, then "HELP" and
// "    Prints this help." — all as simple strings.

import {array, simple, type Reply} from '../../resp/reply.js'

export function helpReply(header: string, lines: readonly string[]): Reply {
  return array([header, ...lines, 'HELP', '    Prints this help.'].map((l) => simple(l)))
}
