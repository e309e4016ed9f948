#!/usr/bin/env node
// The package runs from TypeScript sources; tsx's loader lets `npx tollgate` do the same.
import { register } from 'tsx/esm/api'

register()
await import('./main.ts')
