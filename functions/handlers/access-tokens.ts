import * as api from '../api/schemas.js'
import { tokenState } from '../core/token-state.js'
import { regenerateToken, revokeToken, updateToken } from '../core/use-cases/change-token.js'
import { createToken } from '../core/use-cases/create-token.js'
import { getToken, listTokenEvents, listTokens } from '../core/use-cases/queries.js'
import { revokeOwnerTokens } from '../core/use-cases/revoke-owner-tokens.js'
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
import { accessTokenJson, auditEventJson } from './views.js'

/**
 * `/access-tokens` (but the exchange): create, list, read, change, revoke and
 * regenerate tokens, revoke every token of an owner, and the audit trail. The
 * secret is in the create and regenerate answers only; logs name tokens by id.
 */
export const createAccessTokensHandler = (dependencies: () => Promise<ManagementDependencies>) =>
  createAuthorizedHandler('access-tokens', dependencies, {
    'POST /access-tokens': async ({ request, deps, context }) => {
      const body = bodyOf(request, api.accessTokenCreate)
      const created = await createToken(deps, context, {
        name: body.name,
        description: body.description,
        serviceAccountId: body.service_account_id,
        scopes: body.scopes,
        roles: body.roles,
        expiresInSeconds: body.expires_in_seconds,
      })
      logger.info('access token created', {
        atid: created.record.id,
        owner: created.record.owner.id,
      })
      const state = tokenState(created.record, created.owner, deps.clock.now())
      return answer(
        request,
        { ...accessTokenJson(state), token: created.secret },
        { version: created.record.version },
      )
    },
    'GET /access-tokens': async ({ request, deps, context }) => {
      const query = queryOf(request, api.tokenListQuery)
      const found = await listTokens(
        deps,
        context,
        { owner: query.owner, name: query.name, status: query.status },
        pageOf(query),
      )
      return answer(request, {
        items: found.items.map(accessTokenJson),
        next_cursor: found.nextCursor,
      })
    },
    'POST /access-tokens/revoke': async ({ request, deps, context }) => {
      const { owner } = bodyOf(request, api.revokeOwnerRequest)
      const result = await revokeOwnerTokens(deps, context, owner)
      logger.info('owner tokens revoked', { owner: result.owner, revoked: result.revoked })
      return answer(request, result)
    },
    'GET /access-tokens/{id}': async ({ request, deps, context }) => {
      const state = await getToken(deps, context, pathParameter(request, 'id'))
      return answer(request, accessTokenJson(state), { version: state.record.version })
    },
    'PATCH /access-tokens/{id}': async ({ request, deps, context }) => {
      const ifMatch = ifMatchOf(request)
      const body = bodyOf(request, api.accessTokenPatch)
      const state = await updateToken(deps, context, {
        ...body,
        tokenId: pathParameter(request, 'id'),
        ifMatch,
      })
      logger.info('access token updated', { atid: state.record.id })
      return answer(request, accessTokenJson(state), { version: state.record.version })
    },
    'DELETE /access-tokens/{id}': async ({ request, deps, context }) => {
      const state = await revokeToken(deps, context, pathParameter(request, 'id'))
      logger.info('access token revoked', { atid: state.record.id })
      return answer(request, accessTokenJson(state), { version: state.record.version })
    },
    'POST /access-tokens/{id}/regenerate': async ({ request, deps, context }) => {
      const { state, secret } = await regenerateToken(deps, context, pathParameter(request, 'id'))
      logger.info('access token regenerated', {
        atid: state.record.id,
        generation: state.record.generation,
      })
      return answer(
        request,
        { ...accessTokenJson(state), token: secret },
        { version: state.record.version },
      )
    },
    'GET /access-tokens/{id}/events': async ({ request, deps, context }) => {
      const page = pageOf(queryOf(request, api.pageQuery))
      const found = await listTokenEvents(deps, context, pathParameter(request, 'id'), page)
      return answer(request, {
        items: found.items.map(auditEventJson),
        next_cursor: found.nextCursor,
      })
    },
  })
