import { errorText, staffApi, template } from './clinic-api.js';
import { findingName, outcomeBadge, when } from './clinic-format.js';
import { bannerNode, show, showLoading } from './clinic-frame.js';
import { session } from './clinic-session.js';
import { h } from './dom.js';

/** @import { ConsentPage } from './api-types.js' */

/** #/queue (doctors): consents signed by patients and awaiting countersignature. */

export async function viewQueue() {
  showLoading('Awaiting countersignature');
  try {
    const [res, tpl] = await Promise.all([
      staffApi('/clinic/consents?status=awaiting_countersign'),
      template('mesotherapy'),
    ]);
    const { items } = /** @type {ConsentPage} */ (res);
    const list = items.length
      ? h(
          'ul',
          { class: 'queue-list' },
          items.map((item) => {
            const findings = item.reviewFindings ?? [];
            return h(
              'li',
              { class: `queue-item${findings.length ? '' : ' no-findings'}` },
              h(
                'div',
                {},
                h(
                  'h2',
                  { class: 'queue-title' },
                  h('a', { href: `#/consents/${item.consentId}` }, h('bdi', {}, item.patientName)),
                ),
                h(
                  'p',
                  { class: 'meta' },
                  `Signed ${when(item.signedAt)} · ${item.branchId} · ${item.locale === 'ar' ? 'Arabic' : 'English'}`,
                ),
                findings.length
                  ? h(
                      'ul',
                      { class: 'tags', 'aria-label': 'Findings to review' },
                      findings.map((f) => h('li', { class: 'badge badge-review' }, findingName(tpl, f))),
                    )
                  : h('p', { class: 'meta' }, 'No findings that need review.'),
              ),
              h(
                'div',
                {},
                outcomeBadge(item.outcome),
                ' ',
                h(
                  'a',
                  { class: 'button button-primary button-small', href: `#/consents/${item.consentId}` },
                  'Review',
                  h('span', { class: 'visually-hidden' }, ` ${item.patientName}`),
                ),
              ),
            );
          }),
        )
      : h('p', { class: 'card' }, 'Nothing is waiting for countersignature.');
    show(
      'Awaiting countersignature',
      h(
        'p',
        { class: 'lead' },
        `${items.length} consent${items.length === 1 ? '' : 's'} signed by patients and waiting for a doctor.`,
      ),
      list,
    );
  } catch (err) {
    if (session) show('Awaiting countersignature', bannerNode({ kind: 'error', text: errorText(err) }));
  }
}
