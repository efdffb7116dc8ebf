/**
 * Frequently breached passwords of 10+ characters (shorter ones already fail the length rule), lower-cased.
 * Drawn from public breach frequency lists; the point is to refuse the first guesses of any attacker.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '1234567890', '12345678910', '123456789a', '1234567890a', '1234567890q', '0123456789', '0987654321', '1111111111',
  '1234512345', '1122334455', '1q2w3e4r5t', '1q2w3e4r5t6y', 'q1w2e3r4t5', 'q1w2e3r4t5y6', '1qaz2wsx3edc', 'zaq12wsxcde3',
  'qwertyuiop', 'qwerty1234', 'qwerty12345', 'qwerty123456', 'qwertyuiop1', 'qwertyuiop123', 'asdfghjkl1', 'asdfghjkl;',
  'zxcvbnm123', 'password1234', 'password12', 'password123', 'password123!', 'password01', 'password10', 'passw0rd123',
  'p@ssw0rd123', 'p@ssword123', 'passwordpassword', 'iloveyou12', 'iloveyou123', 'iloveyou1234', 'sunshine123',
  'princess123', 'football123', 'baseball123', 'basketball', 'basketball1', 'football12', 'superman123', 'batman1234',
  'welcome123', 'welcome1234', 'welcome2024', 'welcome2025', 'welcome2026', 'letmein123', 'letmein1234', 'trustno1234',
  'monkey12345', 'dragon12345', 'master12345', 'shadow12345', 'michael123', 'jennifer123', 'jordan2323', 'charlie123',
  'starwars123', 'pokemon123', 'whatever123', 'computer123', 'changeme123', 'administrator', 'admin12345', 'admin123456',
  'administrator1', 'rootpassword', 'abc1234567', 'abcd123456', 'abcdef123456', 'a1b2c3d4e5', 'aa12345678', 'qazwsxedcrfv',
  'qazwsxedc123', '1234qwerasdf', 'q2w3e4r5t6', 'mypassword', 'mypassword1', 'mypassword123', 'secret1234', 'secret12345',
  'bitcoin123', 'bitcoin1234', 'ethereum123', 'crypto1234', 'crypto12345', 'cryptovault', 'cryptovault1', 'cryptovault123',
  'summer2024', 'summer2025', 'summer2026', 'winter2024', 'winter2025', 'winter2026', 'spring2025', 'autumn2025',
  'september1', 'december12', 'liverpool1', 'chelsea123', 'arsenal123', 'manchester', 'manchester1', 'blink18218',
  'linkinpark', 'minecraft1', 'minecraft123', 'fortnite123', 'loveyou123', 'babygirl12', 'password!!', 'passw0rd!!',
  'unbelievable', 'experience', 'everything', 'motherfucker', 'chocolate1', 'chocolate123', 'strawberry', 'butterfly1',
  'friendship', 'elizabeth1', 'christopher', 'alexander1', 'jessica123', 'benjamin12', 'newyork123', 'california',
  'washington', 'skateboard', 'snowboard1', 'playstation', 'playstation2', 'nintendo64', 'logitech12', 'samsung123',
  'internet123', 'facebook123', 'google1234', 'yankees123', 'gateway123', 'hello12345', 'hello123456', 'helloworld',
  'helloworld1', 'thomas1234', 'soccer1234', 'hockey1234', 'killer1234', 'matrix1234', 'ranger1234', 'freedom123',
  'asdfasdfasdf', 'asdf123456', 'zxcvbnmasdf', '1qazxsw23edc', 'qweasdzxc1', 'qweasdzxc123', '147258369a', '1472583690',
  '3141592653', '0000000000', '1212121212', '1231231234', '1234554321', '9876543210', '5555555555', '6969696969',
]);
