#!/usr/bin/env node
// Starts the bundled sentinel, like redis-sentinel: rtopo-sentinel sentinel.conf [--directive value ...]
import {main} from '../dist/server/main.js'

await main([...process.argv.slice(2), '--sentinel'])
