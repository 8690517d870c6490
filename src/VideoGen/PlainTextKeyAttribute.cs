using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Security;

namespace VideoGen.Commands
{
    /// <summary>
    /// Lets -ApiKey take a plain string as well as a SecureString (PowerShell alone would refuse it with a conversion
    /// error): the string becomes a read-only SecureString, remembered as typed in plain text so the cmdlet warns that it
    /// may stay in the command history, and says how to pass it safely.
    /// </summary>
    internal sealed class PlainTextKeyAttribute : ArgumentTransformationAttribute
    {
        private static readonly ConditionalWeakTable<SecureString, object> FromPlainText = new ConditionalWeakTable<SecureString, object>();

        /// <summary>Whether this key was given as plain text.</summary>
        public static bool WasPlainText(SecureString key) => FromPlainText.TryGetValue(key, out _);

        /// <inheritdoc/>
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (!(value is string text))
            {
                return inputData;
            }
            var secure = new SecureString();
            foreach (var c in text.Trim())
            {
                secure.AppendChar(c);
            }
            secure.MakeReadOnly();
            FromPlainText.Add(secure, new object());
            return secure;
        }
    }
}
