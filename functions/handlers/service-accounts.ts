import * as api from '../api/schemas.js'
import {
  getServiceAccount,
  listServiceAccountEvents,
  listServiceAccounts,
} from '../core/use-cases/queries.js'
import {
  createServiceAccount,
  deleteServiceAccount,
  updateServiceAccount,
} from '../core/use-cases/service-accounts.js'
import type { ManagementDependencies } from '../wiring/dependencies.js'
import { logger } from '../wiring/observability.js'
import {
  answer,
  bodyOf,
  createAuthorizedHandler,
  ifMatchOf,
  pageOf,
  pathParameter,
  queryOf,
} from './api-handler.js'
import { auditEventJson, serviceAccountJson } from './views.js'

/** `/service-accounts`: create, list, read, change and delete accounts; their audit trail. */
export const createServiceAccountsHandler = (dependencies: () => Promise<ManagementDependencies>) =>
  createAuthorizedHandler('service-accounts', dependencies, {
    'POST /service-accounts': async ({ request, deps, context }) => {
      const body = bodyOf(request, api.serviceAccountCreate)
      const account = await createServiceAccount(deps, context, body)
      logger.info('service account created', { account_id: account.id })
      return answer(request, serviceAccountJson(account), { version: account.version })
    },
    'GET /service-accounts': async ({ request, deps, context }) => {
      const page = pageOf(queryOf(request, api.pageQuery))
      const found = await listServiceAccounts(deps, context, page)
      return answer(request, {
        items: found.items.map(serviceAccountJson),
        next_cursor: found.nextCursor,
      })
    },
    'GET /service-accounts/{id}': async ({ request, deps, context }) => {
      const account = await getServiceAccount(deps, context, pathParameter(request, 'id'))
      return answer(request, serviceAccountJson(account), { version: account.version })
    },
    'PATCH /service-accounts/{id}': async ({ request, deps, context }) => {
      const ifMatch = ifMatchOf(request)
      const body = bodyOf(request, api.serviceAccountPatch)
      const account = await updateServiceAccount(deps, context, {
        ...body,
        id: pathParameter(request, 'id'),
        ifMatch,
      })
      logger.info('service account updated', { account_id: account.id })
      return answer(request, serviceAccountJson(account), { version: account.version })
    },
    'DELETE /service-accounts/{id}': async ({ request, deps, context }) => {
      const id = pathParameter(request, 'id')
      await deleteServiceAccount(deps, context, id)
      logger.info('service account deleted', { account_id: id })
      return answer(request, undefined)
    },
    'GET /service-accounts/{id}/events': async ({ request, deps, context }) => {
      const page = pageOf(queryOf(request, api.pageQuery))
      const found = await listServiceAccountEvents(
        deps,
        context,
        pathParameter(request, 'id'),
        page,
      )
      return answer(request, {
        items: found.items.map(auditEventJson),
        next_cursor: found.nextCursor,
      })
    },
  })
