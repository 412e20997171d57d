import { ApiError } from './api.js';
import { downloadPdf, errorText, staffApi } from './clinic-api.js';
import { outcomeBadge, STATUS_LABELS, statusBadge, when } from './clinic-format.js';
import { bannerNode, field, setFieldError, show } from './clinic-frame.js';
import { session } from './clinic-session.js';
import { h, replace } from './dom.js';

/** @import { ConsentListItem, ConsentPage } from './api-types.js' */

/** #/archive: search the clinic's consents (name, dates, status, branch) and download their PDFs. */

/** @param {URLSearchParams} params */
export async function viewArchive(params) {
  const q = params.get('q') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const status = params.get('status') ?? '';
  const branchId = params.get('branchId') ?? '';
  const statusSelect = h(
    'select',
    { class: 'input', id: 'arc-status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    Object.entries(STATUS_LABELS).map(([v, label]) =>
      h('option', { value: v, selected: v === status }, label),
    ),
  );
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      {
        class: 'card form-grid',
        role: 'search',
        'aria-label': 'Search consents',
        onsubmit: (/** @type {Event} */ e) => {
          e.preventDefault();
          const data = new FormData(form);
          const next = new URLSearchParams();
          for (const [k, v] of data) if (String(v).trim()) next.set(k, String(v).trim());
          location.hash = `#/archive?${next}`;
        },
      },
      field({
        id: 'arc-q',
        label: 'Patient name',
        input: h('input', { class: 'input', id: 'arc-q', name: 'q', type: 'search', value: q }),
      }),
      field({ id: 'arc-status', label: 'Status', input: statusSelect }),
      field({
        id: 'arc-from',
        label: 'From (date)',
        input: h('input', { class: 'input', id: 'arc-from', name: 'from', type: 'date', value: from }),
      }),
      field({
        id: 'arc-to',
        label: 'To (date)',
        input: h('input', { class: 'input', id: 'arc-to', name: 'to', type: 'date', value: to }),
      }),
      field({
        id: 'arc-branch',
        label: 'Branch',
        input: h('input', { class: 'input', id: 'arc-branch', name: 'branchId', value: branchId }),
      }),
      h(
        'div',
        { class: 'actions span-2' },
        h('button', { type: 'submit', class: 'button button-primary' }, 'Search'),
      ),
    )
  );
  const results = h('div', { id: 'archive-results' }, h('p', { class: 'loading' }, 'Loading…'));
  show('Archive', form, results);

  const query = new URLSearchParams();
  for (const [k, v] of Object.entries({ q, from, to, status, branchId })) if (v) query.set(k, v);
  /** @type {ConsentListItem[]} */
  const rows = [];
  /** @param {string | null} cursor */
  const load = async (cursor) => {
    const qs = new URLSearchParams(query);
    if (cursor) qs.set('cursor', cursor);
    try {
      const res = /** @type {ConsentPage} */ (await staffApi(`/clinic/consents?${qs}`));
      rows.push(...res.items);
      renderRows(res.nextCursor);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.issues.length) {
        for (const issue of err.issues)
          setFieldError(`arc-${issue.path === 'branchId' ? 'branch' : issue.path}`, issue.message);
      }
      if (session) replace(results, bannerNode({ kind: 'error', text: errorText(err) }));
    }
  };
  /** @param {string | null} nextCursor */
  const renderRows = (nextCursor) => {
    replace(
      results,
      h(
        'p',
        { role: 'status' },
        `${rows.length} consent${rows.length === 1 ? '' : 's'}${nextCursor ? ' (more available)' : ''}`,
      ),
      rows.length
        ? h(
            'div',
            { class: 'table-wrap', role: 'region', 'aria-label': 'Search results', tabindex: 0 },
            h(
              'table',
              { class: 'table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Patient', 'Status', 'Screening', 'Branch', 'Created', 'Signed', 'PDF'].map((c) =>
                    h('th', { scope: 'col' }, c),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                rows.map((r) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: `#/consents/${r.consentId}` }, h('bdi', {}, r.patientName))),
                    h('td', {}, statusBadge(r.status)),
                    h('td', {}, outcomeBadge(r.outcome) ?? '—'),
                    h('td', {}, r.branchId),
                    h('td', {}, when(r.createdAt)),
                    h('td', {}, when(r.signedAt)),
                    h(
                      'td',
                      {},
                      r.signedAt
                        ? h(
                            'button',
                            {
                              type: 'button',
                              class: 'button button-secondary button-small',
                              onclick: () => downloadPdf(r.consentId, r.patientName),
                            },
                            'Download',
                            h('span', { class: 'visually-hidden' }, ` the PDF of ${r.patientName}`),
                          )
                        : '—',
                    ),
                  ),
                ),
              ),
            ),
          )
        : null,
      nextCursor
        ? h(
            'div',
            { class: 'actions' },
            h(
              'button',
              { type: 'button', class: 'button button-secondary', onclick: () => load(nextCursor) },
              'Load more',
            ),
          )
        : null,
    );
  };
  await load(null);
}
