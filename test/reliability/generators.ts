import fc from 'fast-check';
import { cleanAnswers } from '../fixtures/answers';
import { signaturePng } from '../fixtures/consent-document';

/**
 * Input generators for the property tests: arbitrary JSON, hostile strings, and "almost valid" bodies
 * (a valid request with one to three mutations), which reach much deeper than random noise does.
 */

/** Strings a hostile or careless client sends. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '   \t ',
      '\u0000',
      '\r\nBcc: victim@example.test',
      '\u202eevil',
      '\u2028',
      '\ud800',
      '\udfff\ud800',
      'null',
      'undefined',
      'true',
      '__proto__',
      'constructor',
      'toString',
      '../../etc/passwd',
      '%00',
      '<script>alert(1)</script>',
      "'; DROP TABLE consents; --",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
      '${7*7}',
      'ليلى حداد',
      'Ｌａｙｌａ',
      'e\u0301e\u0301',
      '👩🏽‍⚕️',
      '1990-05-14',
      '1990-02-30',
      '0000-00-00',
      '2999-01-01',
      '１９９０-０５-１４',
      '1990-5-14',
      ' 1990-05-14',
      'CLINIC#demo',
      'PDF#x#0001',
      '#rev',
      ':rev',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 3000 }).chain((n) => fc.string({ minLength: n, maxLength: n })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);

/** Any JSON value, hostile strings included. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 0.5, [], {}, [[]], { '': '' }),
  },
  { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }) },
);

type Path = string[];
type Mutation =
  | { op: 'delete'; path: Path }
  | { op: 'set'; path: Path; value: unknown }
  | { op: 'add'; path: Path; key: string; value: unknown };

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function parentOf(root: Record<string, unknown>, path: Path): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const k of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

export function applyMutations(base: unknown, mutations: Mutation[]): unknown {
  const root = { root: clone(base) } as Record<string, unknown>;
  for (const m of mutations) {
    const path = ['root', ...m.path];
    if (m.op === 'add') {
      const target = parentOf(root, [...path, '_']);
      if (target)
        Object.defineProperty(target, m.key, {
          value: m.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      continue;
    }
    const parent = parentOf(root, path);
    const key = path.at(-1) as string;
    if (!parent) continue;
    if (m.op === 'delete') delete parent[key];
    else
      Object.defineProperty(parent, key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return root.root;
}

/**
 * A valid body with 0–3 mutations: delete a field, replace a value (with a field-specific or arbitrary
 * value), or add an unknown key. `values` maps a dotted path to values worth trying there.
 */
export function mutated(
  base: unknown,
  paths: Path[],
  values: Record<string, fc.Arbitrary<unknown>> = {},
  maxMutations = 3,
) {
  const valueFor = (path: Path) => {
    const specific = values[path.join('.')];
    return specific
      ? fc.oneof({ weight: 3, arbitrary: specific }, { weight: 1, arbitrary: anyJson })
      : anyJson;
  };
  const objectPaths: Path[] = [
    [],
    ...paths.filter((p) => {
      const v = p.reduce<unknown>(
        (node, k) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined),
        base,
      );
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    }),
  ];
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constantFrom(...paths).map((path) => ({ op: 'delete' as const, path })),
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...paths)
        .chain((path) => valueFor(path).map((value) => ({ op: 'set' as const, path, value }))),
    },
    fc.record({
      op: fc.constant('add' as const),
      path: fc.constantFrom(...objectPaths),
      key: nastyString,
      value: anyJson,
    }),
  );
  return fc
    .array(mutation, { minLength: 1, maxLength: maxMutations })
    .map((ms) => ({ body: applyMutations(base, ms), mutations: ms }));
}

// ---------------------------------------------------------------------------------------------------
// Field-specific values

const AREAS = ['face', 'eye_area', 'neck', 'scalp', 'arms', 'legs', 'abdomen', 'buttocks'];
const CONCERNS = [
  'wrinkles',
  'dark_circles',
  'dry_skin',
  'pigmentation',
  'acne_scars',
  'pores',
  'sagging',
  'cellulite',
  'stretch_marks',
  'double_chin',
  'localised_fat',
  'hair_loss',
];

export const dateValue = fc.oneof(
  fc
    .date({ min: new Date('1890-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
    )
    .map(
      ([y, m, d]) =>
        `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    ),
  nastyString,
);

export function answersValues(): Record<string, fc.Arbitrary<unknown>> {
  const v: Record<string, fc.Arbitrary<unknown>> = {
    dateOfBirth: dateValue,
    treatmentAreas: fc.oneof(
      fc.subarray(AREAS),
      fc.array(fc.oneof(fc.constantFrom(...AREAS), nastyString), { maxLength: 10 }),
    ),
    concerns: fc.oneof(
      fc.subarray(CONCERNS),
      fc.array(fc.oneof(fc.constantFrom(...CONCERNS), nastyString), { maxLength: 14 }),
    ),
  };
  for (const id of [
    'bloodThinnerDetails',
    'allergyDetails',
    'previousReactionDetails',
    'currentMedications',
  ]) {
    v[id] = fc.oneof(nastyString, fc.string({ maxLength: 600 }));
  }
  for (const id of Object.keys(cleanAnswers())) {
    if (!(id in v)) v[id] = fc.oneof(fc.boolean(), fc.constantFrom('true', 'yes', 1, 0, null));
  }
  return v;
}

/** POST /intake/{token}/answers bodies: mostly mutated valid answers, some arbitrary JSON. */
export const answersBody: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        mutated(
          cleanAnswers(),
          Object.keys(cleanAnswers())
            .map((k) => [k])
            .concat([['bloodThinnerDetails'], ['allergyDetails'], ['currentMedications']]),
          answersValues(),
        ),
        fc.option(fc.oneof(fc.constantFrom('en', 'ar'), anyJson), { nil: undefined }),
      )
      .map(([m, locale]) => ({ answers: m.body, ...(locale === undefined ? {} : { locale }) })),
  },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.record({ answers: anyJson }) },
);

/** A PNG signature: real, forged headers with any dimensions, or noise. */
export function pngHeader(width: number, height: number, rest: Uint8Array): string {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width >>> 0, 8);
  ihdr.writeUInt32BE(height >>> 0, 12);
  ihdr[16] = 8;
  ihdr[17] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, rest]).toString(
    'base64',
  );
}

const REAL_PNG = signaturePng(3);

export const pngBase64Value: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(REAL_PNG),
  fc.constant(`data:image/png;base64,${REAL_PNG}`),
  fc
    .tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 32 - 1 }), fc.uint8Array({ maxLength: 300 }))
    .map(([w, h, rest]) => pngHeader(w, h, rest)),
  fc
    .tuple(
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 0, max: 1500 }),
      fc.uint8Array({ maxLength: 300 }),
    )
    .map(([w, h, rest]) => pngHeader(w, h, rest)),
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('base64')),
  fc.nat({ max: REAL_PNG.length }).map((cut) => REAL_PNG.slice(0, cut)),
  fc
    .tuple(fc.nat({ max: REAL_PNG.length - 1 }), fc.constantFrom('!', '=', ' ', '\n', '-', '_', 'é'))
    .map(([i, c]) => REAL_PNG.slice(0, i) + c + REAL_PNG.slice(i + 1)),
  fc.integer({ min: 250_000, max: 300_000 }).map((n) => 'A'.repeat(n)),
  nastyString,
);

export const signatureValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({
    kind: fc.constant('typed'),
    name: fc.oneof(nastyString, fc.constantFrom('Layla Haddad', 'ليلى حداد')),
  }),
  fc.record({ kind: fc.constant('drawn'), pngBase64: pngBase64Value }),
  fc.record(
    {
      kind: fc.oneof(fc.constantFrom('typed', 'drawn', 'TYPED', ''), nastyString),
      name: nastyString,
      pngBase64: pngBase64Value,
    },
    { requiredKeys: [] },
  ),
  anyJson,
);

/** POST /intake/{token}/signature bodies for a consent that listed `riskIds`. */
export function signatureBody(riskIds: string[]): fc.Arbitrary<{ body: unknown; mutations: unknown[] }> {
  const base = {
    signature: { kind: 'typed', name: 'Layla Haddad' },
    acknowledgedRiskIds: riskIds,
    agreeToTreatment: true,
    agreeToElectronicRecords: true,
  };
  return fc.oneof(
    {
      weight: 8,
      arbitrary: mutated(
        base,
        [
          ['signature'],
          ['signature', 'kind'],
          ['signature', 'name'],
          ['acknowledgedRiskIds'],
          ['agreeToTreatment'],
          ['agreeToElectronicRecords'],
          ['locale'],
        ],
        {
          signature: signatureValue,
          'signature.kind': fc.constantFrom('drawn', 'typed', 'Typed', ''),
          'signature.name': nastyString,
          acknowledgedRiskIds: fc.oneof(
            fc.subarray(riskIds),
            fc
              .shuffledSubarray(riskIds, { minLength: riskIds.length })
              .chain((ids) => fc.array(nastyString, { maxLength: 3 }).map((extra) => [...ids, ...extra])),
            fc.constant([...riskIds, ...riskIds]),
            fc.array(fc.constantFrom(...riskIds), { minLength: 101, maxLength: 120 }),
          ),
          agreeToTreatment: fc.constantFrom(false, 'true', 1, null),
          agreeToElectronicRecords: fc.constantFrom(false, 'true', 1, null),
          locale: fc.oneof(fc.constantFrom('en', 'ar', 'fr', 'EN'), anyJson),
        },
      ),
    },
    { weight: 1, arbitrary: anyJson.map((body) => ({ body, mutations: [] })) },
  );
}

/** POST /clinic/consents/{id}/countersign bodies (the consent has a `bloodThinners` review finding). */
export const countersignBody = fc.oneof(
  {
    weight: 8,
    arbitrary: mutated(
      {
        signature: { kind: 'typed', name: 'Dr. Amal Nasser' },
        findingNotes: { bloodThinners: 'Prescriber agreed to pause aspirin.' },
      },
      [['signature'], ['signature', 'name'], ['findingNotes'], ['findingNotes', 'bloodThinners']],
      {
        signature: signatureValue,
        'signature.name': nastyString,
        findingNotes: fc.oneof(
          fc.dictionary(
            fc.oneof(
              fc.constantFrom(
                'bloodThinners',
                'pregnant',
                'dateOfBirth',
                '__proto__',
                'constructor',
                'toString',
                '',
              ),
              nastyString,
            ),
            fc.oneof(nastyString, anyJson),
            { maxKeys: 4 },
          ),
          fc.constant({ bloodThinners: 'x'.repeat(2001) }),
        ),
        'findingNotes.bloodThinners': fc.oneof(nastyString, fc.constantFrom('', '   ', '\n')),
      },
    ),
  },
  { weight: 1, arbitrary: anyJson.map((body) => ({ body, mutations: [] })) },
);

export const declineBody = fc.oneof(
  {
    weight: 4,
    arbitrary: mutated({ reason: 'Patient asked to postpone.' }, [['reason']], {
      reason: fc.oneof(nastyString, fc.constantFrom('', '  ', '\n\t')),
    }),
  },
  { weight: 1, arbitrary: anyJson.map((body) => ({ body, mutations: [] })) },
);

/** POST /clinic/invites bodies. Never a valid `sendEmail: true` (it would start asynchronous mail). */
export const inviteBody = fc.oneof(
  {
    weight: 6,
    arbitrary: mutated(
      {
        patient: {
          fullName: 'Layla Haddad',
          email: 'layla@example.test',
          phone: '+971 50 000 0000',
          locale: 'en',
        },
        treatmentId: 'mesotherapy',
        branchId: 'main',
        sendEmail: false,
      },
      [
        ['patient'],
        ['patient', 'fullName'],
        ['patient', 'email'],
        ['patient', 'phone'],
        ['patient', 'locale'],
        ['treatmentId'],
        ['branchId'],
        ['sendEmail'],
      ],
      {
        'patient.fullName': nastyString,
        'patient.email': fc.oneof(
          fc.emailAddress(),
          nastyString,
          fc.constantFrom('a@b', 'layla@example.test\r\nBcc: x@y.z', `${'a'.repeat(250)}@example.test`),
        ),
        'patient.phone': fc.oneof(fc.stringMatching(/^\+?[0-9 ()-]{0,30}$/), nastyString),
        'patient.locale': fc.constantFrom('en', 'ar', 'fr', '', 'EN'),
        treatmentId: fc.oneof(
          fc.constantFrom('mesotherapy', 'botox', '__proto__', 'constructor', ''),
          nastyString,
        ),
        branchId: fc.oneof(fc.constantFrom('main', 'jumeirah', '__proto__', 'toString', ''), nastyString),
        sendEmail: fc.constantFrom(false, 'true', 1, null, 'yes'),
      },
    ),
  },
  { weight: 1, arbitrary: anyJson.map((body) => ({ body, mutations: [] })) },
);

/** Content types a client might send with a JSON body. */
export const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain',
      'application/octet-stream',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/pdf',
      'image/png',
      'APPLICATION/JSON',
      '',
      ';;;',
      'application/json; charset=utf-16',
    ),
  },
  { weight: 1, arbitrary: latin1HeaderValue(60) },
);

/** Header values node:http will put on the wire (visible Latin-1, no CR/LF). */
export function latin1HeaderValue(maxLength: number): fc.Arbitrary<string> {
  return fc
    .string({
      unit: fc
        .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
        .map((c) => String.fromCharCode(c)),
      maxLength,
    })
    .map((s) => s.trim());
}

// ---------------------------------------------------------------------------------------------------
// Path segments

/** Percent-encodes every UTF-16 unit, lone surrogates included (as WTF-8), so any string can go in a path. */
export function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s]
      .map((ch) => {
        const c = ch.charCodeAt(0);
        if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff)
          return `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 63)).toString(16)}%${(0x80 | (c & 63)).toString(16)}`.toUpperCase();
        return encodeURIComponent(ch);
      })
      .join('');
  }
}

const base64urlChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
const crockford = fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ');

/** One path segment as it goes on the wire: encoded Unicode, raw Latin-1, broken %-escapes, very long. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: nastyString.filter((s) => s.length < 2000).map(encodeSegment) },
  { weight: 2, arbitrary: fc.string({ unit: base64urlChar, minLength: 43, maxLength: 43 }) },
  { weight: 1, arbitrary: fc.string({ unit: base64urlChar, minLength: 40, maxLength: 46 }) },
  { weight: 2, arbitrary: fc.string({ unit: crockford, minLength: 26, maxLength: 26 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%',
      '%Z',
      '%ZZ',
      '%00',
      '%2F',
      '%2f',
      '%2e%2e',
      '..',
      '.',
      '%C0%AF',
      '%E2%80%AE',
      '%F0%9F%92%A9',
      '%ED%A0%80',
      '%FF',
      '~',
      '%20',
      '%0A',
      'a%',
      '%%',
      ';',
      '@',
      "!$&'()*+,=:",
    ),
  },
  // Raw visible ASCII as typed (bytes above 0x7e must be %-encoded on the wire; the HTTP parser rejects them).
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc
        .integer({ min: 0x21, max: 0x7e })
        .filter((c) => c !== 0x2f && c !== 0x3f && c !== 0x23)
        .map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 40,
    }),
  },
  { weight: 1, arbitrary: fc.integer({ min: 500, max: 6000 }).map((n) => 'A'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 1500 }).map((n) => '%41'.repeat(n)) },
);
