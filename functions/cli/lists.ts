import type { Page } from '../client/index.js'
import { limitOption } from './args.js'
import type { Printer } from './output.js'
import { nextPageNote } from './views.js'

/** The options every list command takes. */
export const LIST_OPTIONS = {
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
} as const

export const LIST_OPTIONS_HELP = `  --limit N              page size, 1-100 (default 20)
  --cursor CURSOR        the page after the one that printed this cursor
  --all                  every page (with --json: one {"items", "next_cursor": null})
`

/**
 * Prints one page, or with `--all` every page as one: `--json` gets the
 * API's page object, people a table (or a note when there is nothing).
 */
export const printList = async <T>(
  out: Printer,
  values: { readonly limit?: string; readonly cursor?: string; readonly all?: boolean },
  fetchPage: (query: { limit?: number; cursor?: string }) => Promise<Page<T>>,
  render: (items: readonly T[]) => string,
  nothing: string,
): Promise<void> => {
  const limit = limitOption(values.limit)
  const query = (cursor: string | undefined) => ({
    ...(limit === undefined ? {} : { limit }),
    ...(cursor === undefined ? {} : { cursor }),
  })
  let page: Page<T>
  if (values.all === true) {
    const items: T[] = []
    let cursor = values.cursor
    do {
      const current = await fetchPage(query(cursor))
      items.push(...current.items)
      cursor = current.next_cursor ?? undefined
    } while (cursor !== undefined)
    page = { items, next_cursor: null }
  } else {
    page = await fetchPage(query(values.cursor))
  }
  out.data(page, () => (page.items.length === 0 ? '' : render(page.items)))
  if (out.json) return
  if (page.items.length === 0) out.note(nothing)
  const more = nextPageNote(page)
  if (more !== undefined) out.note(more)
}
