import { escapeHtml } from '../common/text/escape.js';
import type { FamilyLanguage, FamilyStage } from '../disclosure/family-view.js';

export type PageLanguage = FamilyLanguage;

export interface StatusView {
  reference: string;
  language: PageLanguage;
  stage: FamilyStage;
  // Only once detention may be disclosed to this family.
  soughtPersonName?: string;
  travel?: {
    crossing: string;
    address: string;
    crossingAt: string | null;
    escort: string | null;
    escortPhone: string | null;
  };
  handover?: { place: string; address: string; when: string; instructions: string };
}

// What each stage says, in the family's words. Before disclosure is allowed the page says no
// more than that the inquiry is being handled: `in_progress` covers every stage up to then.
const TEXT: Record<
  PageLanguage,
  Record<FamilyStage | 'title' | 'case' | 'crossing' | 'escort' | 'handover' | 'footer', string>
> = {
  uk: {
    title: 'Стан вашого звернення',
    case: 'Звернення',
    received: 'Ми отримали ваше звернення і незабаром зв’яжемося з вами.',
    in_progress:
      'Ми працюємо з вашим зверненням. Щойно зможемо сказати більше, ми зв’яжемося з вами.',
    detention_confirmed:
      'Ми підтвердили, що його утримують. Наступний крок — підготовка вашої поїздки; ми зв’яжемося з вами.',
    travel_planning: 'Ми плануємо вашу поїздку через Польщу до Києва. Інструкції надійдуть листом.',
    in_transit: 'Ваша поїздка триває.',
    handover_scheduled: 'Передачу призначено.',
    handed_over: 'Передачу здійснено.',
    closed: 'Ваше звернення закрито. Якщо у вас є запитання, напишіть нам.',
    crossing: 'Пункт пропуску',
    escort: 'Супровідник',
    handover: 'Передача',
    footer: 'Не пересилайте це посилання: воно веде до вашої справи.',
  },
  ru: {
    title: 'Состояние вашего обращения',
    case: 'Обращение',
    received: 'Мы получили ваше обращение и скоро свяжемся с вами.',
    in_progress:
      'Мы работаем с вашим обращением. Как только сможем сказать больше, мы свяжемся с вами.',
    detention_confirmed:
      'Мы подтвердили, что его удерживают. Следующий шаг — подготовка вашей поездки; мы свяжемся с вами.',
    travel_planning: 'Мы планируем вашу поездку через Польшу в Киев. Инструкции придут письмом.',
    in_transit: 'Ваша поездка продолжается.',
    handover_scheduled: 'Передача назначена.',
    handed_over: 'Передача состоялась.',
    closed: 'Ваше обращение закрыто. Если у вас есть вопросы, напишите нам.',
    crossing: 'Пункт пропуска',
    escort: 'Сопровождающий',
    handover: 'Передача',
    footer: 'Не пересылайте эту ссылку: она ведёт к вашему делу.',
  },
  en: {
    title: 'Your inquiry',
    case: 'Inquiry',
    received: 'We have received your inquiry and will contact you soon.',
    in_progress:
      'We are working on your inquiry. As soon as we can tell you more, we will contact you.',
    detention_confirmed:
      'We have confirmed that he is held. The next step is preparing your journey; we will contact you.',
    travel_planning:
      'We are planning your journey through Poland to Kyiv. The instructions will come by email.',
    in_transit: 'Your journey is under way.',
    handover_scheduled: 'The handover has been scheduled.',
    handed_over: 'The handover has taken place.',
    closed: 'Your inquiry is closed. If you have questions, write to us.',
    crossing: 'Border crossing',
    escort: 'Escort',
    handover: 'Handover',
    footer: 'Do not forward this link: it leads to your case.',
  },
};

const escape = escapeHtml;

export function renderStatusPage(view: StatusView): string {
  const t = TEXT[view.language];
  const travel = view.travel
    ? `<h2>${t.crossing}</h2><p>${escape(view.travel.crossing)} (${escape(view.travel.address)})${view.travel.crossingAt ? `<br>${escape(view.travel.crossingAt)}` : ''}</p>${
        view.travel.escort
          ? `<h2>${t.escort}</h2><p>${escape(view.travel.escort)}${view.travel.escortPhone ? `, ${escape(view.travel.escortPhone)}` : ''}</p>`
          : ''
      }`
    : '';
  const handover = view.handover
    ? `<h2>${t.handover}</h2><p>${escape(view.handover.when)}<br>${escape(view.handover.place)}, ${escape(view.handover.address)}</p><p>${escape(view.handover.instructions)}</p>`
    : '';
  return `<!doctype html>
<html lang="${view.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${t.title} · ${escape(view.reference)}</title>
<style>
  body { font: 17px/1.5 system-ui, sans-serif; color: #1a1a1a; max-width: 38rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
  .ref { color: #444; } footer { margin-top: 2rem; font-size: .9rem; color: #444; }
</style>
</head>
<body>
<main>
<h1>${t.title}</h1>
<p class="ref">${t.case} ${escape(view.reference)}${view.soughtPersonName ? ` · ${escape(view.soughtPersonName)}` : ''}</p>
<p data-stage="${view.stage}">${t[view.stage]}</p>
${travel}
${handover}
</main>
<footer>${t.footer}</footer>
</body>
</html>
`;
}
