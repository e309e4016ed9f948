import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { isHttpApiEvent, toHttpRequest } from '../../../functions/handlers/http-event.js'
import { apiGatewayFixture } from '../../support/lambda.js'

const restEvent = (): APIGatewayProxyEvent =>
  apiGatewayFixture<APIGatewayProxyEvent>('rest-proxy.json')
const httpApiEvent = (): APIGatewayProxyEventV2 =>
  apiGatewayFixture<APIGatewayProxyEventV2>('http-v2-proxy.json')

describe('isHttpApiEvent', () => {
  it('tells an HTTP API 2.0 event from a REST proxy event', () => {
    // Act and assess
    expect(isHttpApiEvent(httpApiEvent())).toBe(true)
    expect(isHttpApiEvent(restEvent())).toBe(false)
  })
})

describe('toHttpRequest', () => {
  describe('with a REST API proxy event', () => {
    it('reads method, path, request id and lower-cased headers', () => {
      // Act
      const request = toHttpRequest(restEvent())

      // Assess
      expect(request.method).toBe('POST')
      expect(request.path).toBe('/no-auth')
      expect(request.requestId).toBe('f88e38e3-2060-4a56-93c0-9efbc6a659a0')
      expect(request.headers['user-agent']).toBe('HTTPie/3.2.2')
      expect(request.headers.host).toBe('puhdx84jy9.execute-api.eu-west-1.amazonaws.com')
      expect(Object.keys(request.headers).every((name) => name === name.toLowerCase())).toBe(true)
    })

    it('has no body and empty path parameters when API Gateway sends null', () => {
      // Act
      const request = toHttpRequest(restEvent())

      // Assess
      expect(request.body).toBeUndefined()
      expect(request.pathParameters).toEqual({})
    })

    it('reads a plain body as UTF-8 bytes', () => {
      // Prepare
      const event = { ...restEvent(), body: '{"scope":"é"}', isBase64Encoded: false }

      // Act
      const request = toHttpRequest(event)

      // Assess
      expect(request.body?.toString('utf8')).toBe('{"scope":"é"}')
    })

    it('decodes a base64 body', () => {
      // Prepare
      const bytes = Buffer.from([0x7b, 0x7d, 0x00, 0xff, 0xfe])
      const event = { ...restEvent(), body: bytes.toString('base64'), isBase64Encoded: true }

      // Act
      const request = toHttpRequest(event)

      // Assess
      expect(request.body).toEqual(bytes)
    })

    it('passes path parameters through and tolerates null headers', () => {
      // Prepare
      const event = {
        ...restEvent(),
        pathParameters: { id: 'tok1' },
        headers: null as unknown as APIGatewayProxyEvent['headers'],
      }

      // Act
      const request = toHttpRequest(event)

      // Assess
      expect(request.pathParameters).toEqual({ id: 'tok1' })
      expect(request.headers).toEqual({})
    })
  })

  describe('with an HTTP API 2.0 event', () => {
    it('reads method, raw path, request id and headers', () => {
      // Act
      const request = toHttpRequest(httpApiEvent())

      // Assess
      expect(request.method).toBe('POST')
      expect(request.path).toBe('/lambda')
      expect(request.requestId).toBe('ZhNHJhhLjoEEPiw=')
      expect(request.headers.authorization).toBe('Bearer foo')
      expect(request.body).toBeUndefined()
      expect(request.pathParameters).toEqual({})
    })

    it('reads a plain body', () => {
      // Prepare
      const event = { ...httpApiEvent(), body: '{"access_token":"x"}' }

      // Act
      const request = toHttpRequest(event)

      // Assess
      expect(request.body?.toString('utf8')).toBe('{"access_token":"x"}')
    })

    it('decodes a base64 body', () => {
      // Prepare
      const text = '{"access_token":"x","scope":"ü"}'
      const event = {
        ...httpApiEvent(),
        body: Buffer.from(text).toString('base64'),
        isBase64Encoded: true,
      }

      // Act
      const request = toHttpRequest(event)

      // Assess
      expect(request.body?.toString('utf8')).toBe(text)
    })

    it('lower-cases header names', () => {
      // Prepare
      const event = { ...httpApiEvent(), headers: { 'Content-Type': 'application/json' } }

      // Act
      const request = toHttpRequest(event)

      // Assess
      expect(request.headers).toEqual({ 'content-type': 'application/json' })
    })
  })
})
