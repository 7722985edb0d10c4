import { Type } from 'typebox';
import { MAX_PAGE_LIMIT } from '../../domain/paging.js';
import { Nullable } from './nullable.js';

/** How many items a page holds when the query does not say. */
export const DEFAULT_PAGE_LIMIT = 100;

/** The query parameters every paged list takes, besides its own filters. */
export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT }),
  ),
  before: Type.Optional(
    Type.String({
      description:
        'Where the page starts: the cursor in the `next` URL of the page before. Leave it out for the newest.',
    }),
  ),
};

/** The field every paged list's answer has besides its items. */
export const NextPage = Nullable(
  Type.String({
    description:
      'The relative URL of the next (older) page, with the same filters and limit; null on the last page.',
  }),
);
