import { fillNodes, h } from './dom.js';
import { base, L, loadedView, state, t } from './intake-state.js';

/** The result when ineligible (the clinic's contacts), and the confirmation once signed. */

export function renderIneligible() {
  const v = loadedView();
  const branch = v.invite.clinic.branch;
  const message = v.ineligibleMessage ? L(v.ineligibleMessage) : '';
  const phoneDigits = String(branch.phone ?? '').replace(/[^0-9+]/g, '');
  const waDigits = String(branch.whatsapp ?? '').replace(/[^0-9]/g, '');
  return [
    h('h1', { id: 'step-heading', class: 'step-heading' }, t('result.ineligibleTitle')),
    h('p', { class: 'lead', id: 'ineligible-message' }, message),
    h('h2', {}, t('result.contactTitle')),
    h(
      'ul',
      { class: 'contact-list' },
      phoneDigits
        ? h(
            'li',
            {},
            h(
              'a',
              {
                class: 'button button-secondary button-block',
                href: `tel:${phoneDigits}`,
                id: 'call-clinic',
              },
              h(
                'span',
                {},
                ...fillNodes(t('result.call'), {
                  branch: branch.name,
                  phone: h('bdi', { dir: 'ltr', class: 'nowrap' }, branch.phone),
                }),
              ),
            ),
          )
        : null,
      waDigits
        ? h(
            'li',
            {},
            h(
              'a',
              {
                class: 'button button-whatsapp button-block',
                href: `https://wa.me/${waDigits}`,
                target: '_blank',
                rel: 'noopener noreferrer',
                id: 'whatsapp-clinic',
              },
              h(
                'span',
                {},
                ...fillNodes(t('result.whatsapp'), { branch: branch.name }),
                h('span', { class: 'visually-hidden' }, ` (${t('result.newTab')})`),
              ),
            ),
          )
        : null,
    ),
  ];
}

export function renderDone() {
  const v = loadedView();
  const status = v.invite.status;
  const body =
    status === 'countersigned'
      ? t('done.countersigned')
      : status === 'declined'
        ? t('done.declined')
        : t('done.body');
  // A declined consent never says "signed": the title and the message both say what happened.
  const title = status === 'declined' ? t('done.declinedTitle') : t('done.title');
  return [
    h('h1', { id: 'step-heading', class: 'step-heading' }, title),
    h('p', { class: 'lead', id: 'done-message' }, body),
    v.pdf || state.justSigned
      ? h(
          'p',
          {},
          h(
            'a',
            {
              class: 'button button-primary',
              href: `${base}/consent.pdf`,
              download: 'consent.pdf',
              id: 'download-pdf',
            },
            t('done.download'),
          ),
        )
      : null,
  ];
}
