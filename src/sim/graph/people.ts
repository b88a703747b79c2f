// Makes plausible users from a seeded random source: varied and non-ASCII names, B2B guests as Graph shows them
// (`alias_theirdomain#EXT#@tenant` UPN, userType Guest, their own address as mail, externalUserState), users without
// mail, and the occasional quote or backslash in a UPN (legal in Entra, and a trap for SCIM filter escaping).
import type { SeededRandom } from './random.js';
import type { SimUser } from './model.js';

const GIVEN_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sofía', 'José', 'Zoë', 'Chloé', 'Søren', 'Łukasz',
  'Ángel', 'Björn', 'Anaïs', 'François', 'Mårten', 'Dóra', 'Jürgen', 'Aiko', 'Mei', 'Arjun', 'Priya', 'Fatima',
  'Yusuf', 'Chidi', 'Amara', 'Mateo', 'Ingrid', 'Nikolai', 'Siobhán', 'Eoin', 'Ewa', 'Kofi', 'Lucía', 'Hana',
  'Thảo', 'Quang', 'Leilani', 'Sven', 'Ole', 'Grete', 'Renée', 'Tomás', 'Dmitri', 'Anya', 'Ravi', 'Sanjay',
  '太郎', '美咲', 'Ольга', 'Иван', 'Σοφία', 'Νίκος', 'محمد', 'Noor', 'Isabel', 'Carlos', 'Beatriz', 'Hugo',
];

const SURNAMES = [
  'Smith', 'Johnson', 'García', 'Müller', 'Nguyễn', 'Kowalski', 'Øster', 'Ólafsdóttir', 'Dubois', "O'Brien",
  'Rossi', 'Silva', 'Jensen', 'Novák', 'Kim', 'Tanaka', 'Chen', 'Patel', 'Okafor', 'Mensah', 'Haddad', 'Cohen',
  'Schmidt', 'López', 'Fernández', 'Ivanova', 'Popescu', 'Nagy', 'Virtanen', 'Lindqvist', 'Brennan', 'Walsh',
  'Van der Berg', 'de la Cruz', 'Andersson', 'Weiß', 'Çelik', 'Yılmaz', 'Đorđević', 'Horváth', 'Costa',
  '山田', '佐藤', 'Петрова', 'Παπαδόπουλος', 'Nakamura', 'Singh', 'Ali', 'Kaur', 'Martínez', 'Moreau',
];

const JOB_TITLES = [
  'Engineer', 'Senior Engineer', 'Designer', 'Product Manager', 'Account Executive', 'Analyst', 'Recruiter',
  'Support Specialist', 'Director', 'Intern', 'Data Scientist', 'Counsel', 'Office Manager',
];

export const DEPARTMENTS = ['Engineering', 'Design', 'Product', 'Sales', 'Finance', 'People', 'Support', 'Legal', 'Marketing'];

const GUEST_DOMAINS = ['fabrikam.example', 'partner.example', 'gmail.example', 'agency.example'];

/** The tenant's own domains: members get `@<MEMBER_DOMAIN>`, guests `#EXT#@<INITIAL_DOMAIN>`. */
export const MEMBER_DOMAIN = 'contoso.example';
export const INITIAL_DOMAIN = 'contoso.onmicrosoft.com';

export interface UserShares {
  disabledShare: number;
  guestShare: number;
  noMailShare: number;
}

/** Folds a name to the letters a UPN local part may hold: 'Søren Øster' → 'soren.oster'. */
function asciiLocalPart(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øØ]/g, 'o').replace(/[łŁ]/g, 'l').replace(/[đĐ]/g, 'd').replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/**
 * Makes user number `number` (1-based, also the suffix that keeps UPNs unique). Numbers 7 and 11 of every
 * 500 carry a `"` and a `\` in their UPN, so any tenant of a dozen users or more has both.
 */
export function makeUser(random: SeededRandom, number: number, shares: UserShares): SimUser {
  const givenName = random.pick(GIVEN_NAMES);
  const surname = random.pick(SURNAMES);
  const given = asciiLocalPart(givenName) || 'user';
  const family = asciiLocalPart(surname) || 'person';
  let local = `${given}.${family}${number}`;
  if (number % 500 === 7) local = `${given}"quoted${number}`;
  if (number % 500 === 11) local = `${given}\\back${number}`;
  const guest = random.chance(shares.guestShare);
  const guestDomain = random.pick(GUEST_DOMAINS);
  const hasMail = !random.chance(shares.noMailShare);
  const externalMail = `${given}.${family}${number}@${guestDomain}`;
  return {
    id: random.guid(),
    userPrincipalName: guest
      ? `${externalMail.replace('@', '_')}#EXT#@${INITIAL_DOMAIN}`
      : `${local}@${MEMBER_DOMAIN}`,
    displayName: `${givenName} ${surname}`,
    givenName,
    surname,
    mail: hasMail ? (guest ? externalMail : `${local}@${MEMBER_DOMAIN}`) : null,
    jobTitle: random.chance(0.9) ? random.pick(JOB_TITLES) : null,
    department: random.chance(0.9) ? random.pick(DEPARTMENTS) : null,
    employeeId: guest ? null : `E${String(number).padStart(6, '0')}`,
    mobilePhone: random.chance(0.6) ? `+1 555 ${String(random.int(0, 9999999)).padStart(7, '0')}` : null,
    accountEnabled: !random.chance(shares.disabledShare),
    userType: guest ? 'Guest' : 'Member',
    otherMails: random.chance(0.1) ? [`${given}.${family}${number}@personal.example`] : [],
    // One invited guest in four has not redeemed the invitation yet (no random draw: the seeded sequence stays as it was).
    externalUserState: guest ? (number % 4 === 0 ? 'PendingAcceptance' : 'Accepted') : null,
    deletedDateTime: null,
  };
}
