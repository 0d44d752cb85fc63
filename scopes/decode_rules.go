package scopes

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/go-playground/validator/v10"
)

// subjectKind is what a validate rule applies to, which decides how its
// message is worded: the length of a text, the count of a list, the value
// of a number, or a moment in time.
type subjectKind int

const (
	otherSubject subjectKind = iota
	numberSubject
	textSubject
	listSubject
	timeSubject
)

// subject is the kind of a failed field, and for a number the noun that
// names it ("an integer ≥ 0").
type subject struct {
	kind subjectKind
	noun string
}

func subjectOf(fe validator.FieldError) subject {
	t := fe.Type()
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return subject{kind: timeSubject}
	case t == durationType:
		return subject{kind: numberSubject, noun: "a duration"}
	}
	switch fe.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return subject{kind: numberSubject, noun: "an integer"}
	case reflect.Float32, reflect.Float64:
		return subject{kind: numberSubject, noun: "a number"}
	case reflect.String:
		return subject{kind: textSubject}
	case reflect.Slice, reflect.Array, reflect.Map:
		return subject{kind: listSubject}
	}
	return subject{}
}

// fixedRules are the messages of rules without a parameter.
var fixedRules = map[string]string{
	"required": "is required", "notblank": "must not be blank",
	"email": "must be an e-mail address",
	"url":   "must be a URL", "http_url": "must be an http or https URL", "uri": "must be a URI",
	"uuid": "must be a UUID", "uuid_rfc4122": "must be a UUID", "uuid3": "must be a version 3 UUID",
	"uuid4": "must be a version 4 UUID", "uuid5": "must be a version 5 UUID", "ulid": "must be a ULID",
	"alpha": "must hold only letters", "alphaunicode": "must hold only letters",
	"alphanum": "must hold only letters and digits", "alphanumunicode": "must hold only letters and digits",
	"numeric": "must be a number", "number": "must hold only digits", "hexadecimal": "must be a hexadecimal number",
	"hexcolor": "must be a hex color, like #1a2b3c", "iscolor": "must be a color, like #1a2b3c",
	"lowercase": "must be in lower case", "uppercase": "must be in upper case",
	"ascii": "must hold only ASCII characters", "printascii": "must hold only printable ASCII characters",
	"boolean": "must be true or false",
	"ip":      "must be an IP address", "ipv4": "must be an IPv4 address", "ipv6": "must be an IPv6 address",
	"ip_addr": "must be an IP address", "ip4_addr": "must be an IPv4 address", "ip6_addr": "must be an IPv6 address",
	"cidr": "must be a network in CIDR notation, like 10.0.0.0/8", "cidrv4": "must be an IPv4 network in CIDR notation, like 10.0.0.0/8",
	"cidrv6": "must be an IPv6 network in CIDR notation, like 2001:db8::/32", "mac": "must be a MAC address",
	"hostname": "must be a host name", "hostname_rfc1123": "must be a host name", "fqdn": "must be a fully qualified domain name",
	"json": "must be JSON", "jwt": "must be a JSON Web Token", "base64": "must be base64 text", "base64url": "must be base64url text",
	"e164": "must be a phone number in E.164 form, like +14155550100", "iso3166_1_alpha2": "must be a two-letter country code, like FR",
	"iso3166_1_alpha3": "must be a three-letter country code, like FRA", "iso4217": "must be a currency code, like EUR",
	"bcp47_language_tag": "must be a language tag, like en-GB", "timezone": "must be a time zone name, like Europe/Paris",
	"semver": "must be a version number, like 1.2.3", "latitude": "must be a latitude", "longitude": "must be a longitude",
	"cron": "must be a cron expression", "unique": "must not repeat a value",
}

// textRules are the messages of rules on text that take a text parameter.
var textRules = map[string]string{
	"contains": "must contain %q", "containsany": "must contain one of the characters %q",
	"excludes": "must not contain %q", "excludesall": "must not contain any of the characters %q",
	"startswith": "must start with %q", "endswith": "must end with %q",
	"startsnotwith": "must not start with %q", "endsnotwith": "must not end with %q",
	"datetime": "must be a date or time written like %s",
}

// ruleText says what a field that failed fe must be, without naming the
// field: "must be one of draft, published". st is the filter struct, to
// name the parameters of cross-field rules.
func ruleText(fe validator.FieldError, st reflect.Type) string {
	tag, p := fe.Tag(), fe.Param()
	if text, ok := fixedRules[tag]; ok {
		return text
	}
	if format, ok := textRules[tag]; ok {
		return fmt.Sprintf(format, p)
	}
	if tag == "oneof" {
		return "must be one of " + strings.Join(oneOfValues(p), ", ")
	}
	if text := compareText(tag, p, subjectOf(fe)); text != "" {
		return text
	}
	if text := crossFieldText(tag, p, st, subjectOf(fe)); text != "" {
		return text
	}
	return fmt.Sprintf("must satisfy the rule %q", tag)
}

// oneOfSplit reads oneof's parameter as the validator does: words, or
// 'quoted text'.
var oneOfSplit = regexp.MustCompile(`'[^']*'|\S+`)

func oneOfValues(p string) []string {
	vals := oneOfSplit.FindAllString(p, -1)
	for i, v := range vals {
		vals[i] = strings.Trim(v, "'")
	}
	return vals
}

// comparison is the wording of one comparing rule for each subject.
type comparison struct {
	text, list, number, moment string
}

var comparisons = map[string]comparison{
	"min": {"must be at least %s characters long", "must have at least %s values", "must be %s ≥ %s", ""},
	"gte": {"must be at least %s characters long", "must have at least %s values", "must be %s ≥ %s", "must not be in the past"},
	"max": {"must be at most %s characters long", "must have at most %s values", "must be %s ≤ %s", ""},
	"lte": {"must be at most %s characters long", "must have at most %s values", "must be %s ≤ %s", "must not be in the future"},
	"gt":  {"must be more than %s characters long", "must have more than %s values", "must be %s > %s", "must be in the future"},
	"lt":  {"must be fewer than %s characters long", "must have fewer than %s values", "must be %s < %s", "must be in the past"},
	"len": {"must be exactly %s characters long", "must have exactly %s values", "must be %[2]s", ""},
	"eq":  {"must be %q", "must have exactly %s values", "must be %[2]s", ""},
	"ne":  {"must not be %q", "must not have exactly %s values", "must not be %[2]s", ""},
}

// compareText words a comparing rule (min, max, gte, len, eq, ...), or
// returns "".
func compareText(tag, p string, s subject) string {
	c, ok := comparisons[tag]
	if !ok {
		return ""
	}
	switch s.kind {
	case textSubject:
		return fmt.Sprintf(c.text, p)
	case listSubject:
		return fmt.Sprintf(c.list, p)
	case numberSubject:
		return fmt.Sprintf(c.number, s.noun, p)
	case timeSubject:
		return c.moment
	}
	return ""
}

// crossFieldText words a rule that compares a parameter with others
// (gtfield=Since, required_with=Region), naming them by their parameter
// names; it returns "" for other rules, or when a field has no parameter
// name.
func crossFieldText(tag, p string, st reflect.Type, s subject) string {
	var names []string
	for goName := range strings.FieldsSeq(p) {
		sf, ok := st.FieldByName(goName)
		if !ok || formName(sf) == "" {
			return ""
		}
		names = append(names, formName(sf))
	}
	if len(names) == 0 {
		return ""
	}
	list := strings.Join(names, ", ")
	later, earlier := "greater than", "less than"
	if s.kind == timeSubject {
		later, earlier = "later than", "earlier than"
	}
	switch tag {
	case "eqfield":
		return "must equal " + list
	case "nefield":
		return "must differ from " + list
	case "gtfield":
		return "must be " + later + " " + list
	case "gtefield":
		return "must not be " + earlier + " " + list
	case "ltfield":
		return "must be " + earlier + " " + list
	case "ltefield":
		return "must not be " + later + " " + list
	case "required_with":
		return "is required when " + strings.Join(names, " or ") + " is given"
	case "required_with_all":
		return "is required when " + strings.Join(names, " and ") + " are given"
	case "required_without":
		return "is required when " + strings.Join(names, " or ") + " is missing"
	case "required_without_all":
		return "is required when none of " + list + " is given"
	}
	return ""
}
