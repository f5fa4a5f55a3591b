#!/usr/bin/env node
// Starts the failure lab's proxy for one topology: rtopo-proxy <state dir>/proxy/proxy.json
import {main} from '../dist/proxy/main.js'

await main(process.argv.slice(2))
