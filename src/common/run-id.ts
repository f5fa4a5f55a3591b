// 40-hex-character random ids: run_id, master_replid, sentinel myid (getRandomHexChars).

import {randomBytes} from 'node:crypto'

export const randomRunId = (): string => randomBytes(20).toString('hex')

export const ZERO_RUN_ID = '0'.repeat(40)
