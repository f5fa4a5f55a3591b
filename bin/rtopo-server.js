#!/usr/bin/env node
// Starts the bundled Redis-compatible server, like redis-server: rtopo-server [redis.conf] [--directive value ...]
import {main} from '../dist/server/main.js'

await main(process.argv.slice(2))
