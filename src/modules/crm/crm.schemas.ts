// TypeBox schemas of the CRM API: validation, OpenAPI and TS types from one source.
import { Type, type Static } from '@sinclair/typebox';

const Id = Type.Integer({ minimum: 1 });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });
export const IdParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,9}$' }) });
export const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })) });

// What the company sees on its extranet: nothing unless shared, then only the member wording.
const SharingOutProps = {
  sharedWithCompany: Type.Boolean({ description: 'shown to the company on its extranet, under memberTitle / memberSummary' }),
  memberTitle: Type.String({ description: 'the wording the company reads (never the internal title)' }),
  memberSummary: Type.String(),
};
const SharingInProps = {
  sharedWithCompany: Type.Optional(Type.Boolean({ description: 'show it to the company on its extranet (default false); memberTitle is then required' })),
  memberTitle: Type.Optional(Type.String({ maxLength: 200, description: 'member-facing wording, distinct from the internal title' })),
  memberSummary: Type.Optional(Type.String({ maxLength: 2000 })),
};
const AmountSharedProps = {
  amountSharedWithCompany: Type.Optional(Type.Boolean({ description: 'deals: also show the amount to the company (default false)' })),
};

export const VisitOut = Type.Object({
  id: Type.Integer(),
  clientId: Type.Union([Type.String(), Type.Null()]),
  companyId: Type.Integer(),
  ownerId: Type.Integer(),
  date: Type.String(),
  topics: Type.Array(Type.String()),
  notes: Type.String(),
  needs: Type.String(),
  ...SharingOutProps,
  contactIds: Type.Optional(Type.Array(Type.Integer())),
  /** present only when the token's owner may read it */
  confidentialNotes: Type.Optional(Type.String()),
  version: Type.Integer(),
  updatedAt: Type.String(),
});
export type VisitOutT = Static<typeof VisitOut>;

export const VisitQuery = Type.Intersect([
  PageQuery,
  Type.Object({ companyId: Type.Optional(Id), ownerId: Type.Optional(Id), from: Type.Optional(Day), to: Type.Optional(Day) }),
]);

export const VisitIn = Type.Object(
  {
    clientId: Type.Optional(Type.String({ maxLength: 64, description: 'id chosen by the client; sending the same id twice stores the visit once' })),
    companyId: Type.Integer(),
    date: Type.Optional(Type.String({ maxLength: 10 })),
    topics: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 50 })),
    contactIds: Type.Optional(Type.Array(Type.Integer(), { maxItems: 100 })),
    notes: Type.Optional(Type.String({ maxLength: 20000 })),
    needs: Type.Optional(Type.String({ maxLength: 20000 })),
    confidentialNotes: Type.Optional(Type.String({ maxLength: 20000 })),
    ...SharingInProps,
    followUps: Type.Optional(Type.Array(Type.Object({ title: Type.String({ maxLength: 200 }), due: Type.String({ maxLength: 10 }), ownerId: Type.Optional(Type.Integer()) }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type VisitInT = Static<typeof VisitIn>;

export const DealOut = Type.Object({
  id: Type.Integer(),
  companyId: Type.Integer(),
  ownerId: Type.Integer(),
  serviceId: Type.Union([Type.Integer(), Type.Null()]),
  stageId: Type.Integer(),
  stage: Type.String(),
  title: Type.String(),
  amountCents: Type.Integer(),
  probability: Type.Integer(),
  weightedCents: Type.Integer(),
  expectedCloseDate: Nullable(Type.String()),
  closedOn: Nullable(Type.String()),
  lostReason: Nullable(Type.String()),
  ...SharingOutProps,
  amountSharedWithCompany: Type.Boolean(),
  version: Type.Integer(),
  updatedAt: Type.String(),
});

export const DealQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    companyId: Type.Optional(Id),
    ownerId: Type.Optional(Id),
    stageId: Type.Optional(Id),
    serviceId: Type.Optional(Id),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('won'), Type.Literal('lost')])),
  }),
]);

export const DealIn = Type.Object(
  {
    companyId: Type.Integer(),
    title: Type.String({ maxLength: 200 }),
    serviceId: Type.Optional(Type.Integer()),
    amountCents: Type.Optional(Type.Integer({ description: 'integer cents, 0 to 1,000,000,000' })),
    probability: Type.Optional(Type.Integer()),
    expectedCloseDate: Type.Optional(Type.String({ maxLength: 10 })),
    stageId: Type.Optional(Type.Integer()),
    lostReason: Type.Optional(Type.String({ maxLength: 500 })),
    ownerId: Type.Optional(Type.Integer()),
    contactIds: Type.Optional(Type.Array(Type.Integer(), { maxItems: 100 })),
    notes: Type.Optional(Type.String({ maxLength: 20000 })),
    ...SharingInProps,
    ...AmountSharedProps,
  },
  { additionalProperties: false },
);

/** Only what the company sees; `version` as read (optimistic locking). */
export const SharingIn = Type.Object({ ...SharingInProps, ...AmountSharedProps, version: Type.Integer() }, { additionalProperties: false });

export const StageMoveIn = Type.Object({ stageId: Type.Integer(), lostReason: Type.Optional(Type.String({ maxLength: 500 })), version: Type.Integer() }, { additionalProperties: false });

export const TaskOut = Type.Object({
  id: Type.Integer(),
  ownerId: Type.Integer(),
  companyId: Type.Union([Type.Integer(), Type.Null()]),
  visitId: Type.Union([Type.Integer(), Type.Null()]),
  dealId: Type.Union([Type.Integer(), Type.Null()]),
  title: Type.String(),
  due: Type.String(),
  done: Type.Boolean(),
  ...SharingOutProps,
  version: Type.Integer(),
});

export const TaskQuery = Type.Object({ ownerId: Type.Optional(Id), companyId: Type.Optional(Id), open: Type.Optional(Type.Boolean()) });

export const TaskIn = Type.Object(
  { title: Type.String({ maxLength: 200 }), due: Type.String({ maxLength: 10 }), ownerId: Type.Optional(Type.Integer()), companyId: Type.Optional(Type.Integer()), dealId: Type.Optional(Type.Integer()), ...SharingInProps },
  { additionalProperties: false },
);
export const TaskDoneIn = Type.Object({ done: Type.Boolean(), version: Type.Integer() }, { additionalProperties: false });
