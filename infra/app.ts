import { tollgateApp } from './tollgate-app.js'

// `npm run synth` / `npx cdk deploy`: cdk.json runs this file.
tollgateApp()
