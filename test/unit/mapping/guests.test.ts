// B2B guests: Entra's #EXT# rule for [userPrincipalName], originalUserPrincipalName, and the GUEST_USERS choices.
import { describe, expect, it } from 'vitest';
import { compileMapping, evaluateUser, explainUser, externalUserName, type GuestRule, type MappingSourceUser } from '../../../src/mapping/index.js';
import type { MappingConfig } from '../../../src/config/index.js';

const config: MappingConfig = {
  user: [
    { target: 'userName', direct: 'userPrincipalName', apply: 'always', matchingPrecedence: 1 },
    { target: 'name.formatted', direct: 'displayName', apply: 'always' },
    { target: 'active', expression: 'Not([IsSoftDeleted])', apply: 'always' },
  ],
  group: [],
  scopingFilters: { user: [], group: [] },
};
const context = { now: new Date('2025-01-01T00:00:00Z'), random: () => 0.5 };
const guestUpn = 'kim.doe_partner.example#EXT#@contoso.onmicrosoft.com';

function guest(attributes: Record<string, unknown> = {}): MappingSourceUser {
  return {
    id: 'g-1',
    attributes: { userPrincipalName: guestUpn, displayName: 'Kim Doe', mail: 'Kim.Doe@partner.example', userType: 'Guest', accountEnabled: true, ...attributes },
    assigned: true,
    softDeleted: false,
    appRoleAssignments: [],
  };
}
const evaluate = (rule: GuestRule, source: MappingSourceUser) => evaluateUser(compileMapping({ ...config, guestUsers: rule }), source, context);

describe('the guest rule', () => {
  it("turns alias_theirdomain#EXT#@yourdomain into alias@theirdomain, as Entra does; a member's UPN is left alone", () => {
    expect(externalUserName(guestUpn)).toBe('kim.doe@partner.example');
    expect(externalUserName('first_last_fabrikam.example#ext#@contoso.onmicrosoft.com')).toBe('first_last@fabrikam.example');
    expect(externalUserName('ann@contoso.example')).toBe('ann@contoso.example');
    // No `_` before #EXT#: no known form, left as it is (and then never created: desired.ts).
    expect(externalUserName('weird#EXT#@contoso.onmicrosoft.com')).toBe('weird#EXT#@contoso.onmicrosoft.com');
  });

  it('maps a guest to alias@theirdomain by default and says so', () => {
    const result = evaluateUser(compileMapping(config), guest(), context);
    expect(result.attributes.userName).toBe('kim.doe@partner.example');
    expect(result.guest).toEqual({ rule: 'map-upn', originalUserPrincipalName: guestUpn, userPrincipalName: 'kim.doe@partner.example' });
  });

  it('treats an external member (userType Member, #EXT# UPN) the same way', () => {
    expect(evaluate('map-upn', guest({ userType: 'Member' })).attributes.userName).toBe('kim.doe@partner.example');
  });

  it('maps mail under GUEST_USERS=map-mail, and nothing when the guest has no mail', () => {
    expect(evaluate('map-mail', guest()).attributes.userName).toBe('Kim.Doe@partner.example');
    expect(evaluate('map-mail', guest({ mail: null })).attributes.userName).toBeNull();
  });

  it('says why a guest is skipped under GUEST_USERS=skip', () => {
    expect(evaluate('skip', guest()).guest?.skipped).toBe(`B2B guest (${guestUpn}): GUEST_USERS=skip leaves guests out of Notion`);
    expect(evaluate('skip', { ...guest(), attributes: { userPrincipalName: 'ann@contoso.example', userType: 'Member', accountEnabled: true } }).guest).toBeUndefined();
  });

  it('keeps the full UPN in originalUserPrincipalName, for a mapping that wants it', () => {
    const withOriginal = compileMapping({ ...config, user: [...config.user, { target: 'nickName', direct: 'originalUserPrincipalName', apply: 'always' }] });
    expect(evaluateUser(withOriginal, guest(), context).attributes.nickName).toBe(guestUpn);
    expect(withOriginal.sourceAttributes.user).not.toContain('originalUserPrincipalName');
  });

  it('shows the rule in the explanation that plan and provision print', () => {
    const explanation = explainUser(compileMapping(config), guest(), context);
    expect(explanation.guest).toMatchObject({ rule: 'map-upn', originalUserPrincipalName: guestUpn });
    expect(explanation.attributes.find((a) => a.target === 'userName')).toMatchObject({ sourceValues: { userPrincipalName: 'kim.doe@partner.example' }, result: 'kim.doe@partner.example' });
  });

  it('refuses an unknown rule', () => {
    expect(() => compileMapping({ ...config, guestUsers: 'invite' as GuestRule })).toThrow(/guestUsers: expected one of map-upn, map-mail, skip/);
  });
});
