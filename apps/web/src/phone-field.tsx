/**
 * A phone number the viewer types, labelled: the dialer's number to call, an outside caller's number.
 * The api checks it is E.164 and says so when it is not; the page only asks for one.
 */
export function PhoneField(props: {
  label: string;
  /** The api's name for it, which a refusal's field messages name. */
  name: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { label, name, value, onChange } = props;
  return (
    <label>
      {label}{' '}
      <input
        type="tel"
        name={name}
        required
        placeholder="+15550100"
        value={value}
        onInput={(e) => onChange((e.target as HTMLInputElement).value)}
      />
    </label>
  );
}
