; «Касса» for Windows: the Inno Setup 6 script of the installer.
;
; Build on Windows (README, «Установка на пункт»): packaging\build.py from a venv makes
; dist\cashier-app\, then
;     iscc installer.iss            → dist\kassa-setup-<version>.exe
; Everything it installs comes from that folder; the version is the build's (VERSION, written
; from pyproject.toml). The tests check on every run that each file named here is in the
; build, and that AppMutex is the name the program holds (cashier_app/util/install_mutex.py).
;
; Where things go:
;   {app}  = C:\Program Files\Kassa — the program; replaced by an upgrade, removed by uninstall
;   {commonappdata}\cashier-app = C:\ProgramData\cashier-app — config.toml, written once from
;          the example and never overwritten; a kiosk's journal and logs. Kept on uninstall.
;   a desk's journal and logs: %LOCALAPPDATA%\cashier-app of the cashier's account. Kept.

; paths from this script's folder, wherever iscc is started
#define BuildDir AddBackslash(SourcePath) + "dist\cashier-app"
#define AppVersion Trim(FileRead(FileOpen(BuildDir + "\VERSION")))
#define DataDir "{commonappdata}\cashier-app"

[Setup]
; fixed for ever: Windows knows the installed program by it (upgrade, uninstall)
AppId={{B610F768-0F01-4538-8E5E-3ED214CEE110}
AppName=Касса
AppVersion={#AppVersion}
AppVerName=Касса {#AppVersion}
AppPublisher=Разработчики «Кассы»
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\Kassa
DefaultGroupName=Касса
DisableProgramGroupPage=yes
; per machine: every account of the point (the cashiers', the kiosk's) runs the same program
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; nobody installs over, or removes, a program in the middle of a payment: while any process
; of it runs (the window, the kiosk, a command) it holds this mutex, and Setup waits
AppMutex=KassaCashierAppRunning,Global\KassaCashierAppRunning
CloseApplications=no
OutputDir={#AddBackslash(SourcePath)}dist
OutputBaseFilename=kassa-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\kassa.exe
UninstallDisplayName=Касса {#AppVersion}

[Languages]
Name: "russian"; MessagesFile: "compiler:Languages\Russian.isl"

[Tasks]
Name: "desktopicon"; Description: "Значок «Касса» на рабочем столе"; GroupDescription: "Значки:"
Name: "kiosk"; Description: "Терминал самообслуживания: запускать киоск при входе в Windows"; GroupDescription: "Режим работы:"; Flags: unchecked

[Dirs]
; the kiosk's account writes its journal here; the engineer edits config.toml here
Name: "{#DataDir}"; Permissions: users-modify; Flags: uninsneveruninstall

[Files]
Source: "{#BuildDir}\cashier-app.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BuildDir}\kassa.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BuildDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#BuildDir}\VERSION"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BuildDir}\config.example.toml"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BuildDir}\config.kiosk.example.toml"; DestDir: "{app}"; Flags: ignoreversion
; the point's settings: once, from the example; an upgrade never touches an existing file,
; and uninstall leaves it
Source: "{#BuildDir}\config.example.toml"; DestDir: "{#DataDir}"; DestName: "config.toml"; Tasks: not kiosk; Flags: onlyifdoesntexist uninsneveruninstall
Source: "{#BuildDir}\config.kiosk.example.toml"; DestDir: "{#DataDir}"; DestName: "config.toml"; Tasks: kiosk; Flags: onlyifdoesntexist uninsneveruninstall

[Icons]
Name: "{group}\Касса"; Filename: "{app}\kassa.exe"; WorkingDir: "{#DataDir}"
Name: "{group}\Касса — терминал"; Filename: "{app}\kassa.exe"; Parameters: "--kiosk"; WorkingDir: "{#DataDir}"
Name: "{group}\Настройки (config.toml)"; Filename: "{#DataDir}\config.toml"
Name: "{group}\Удалить «Кассу»"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Касса"; Filename: "{app}\kassa.exe"; WorkingDir: "{#DataDir}"; Tasks: desktopicon
; the kiosk at every logon (the terminal's auto-logon account among them), under its
; watchdog: restarted if it ends or hangs
Name: "{commonstartup}\Касса — терминал"; Filename: "{app}\kassa.exe"; Parameters: "watchdog"; WorkingDir: "{#DataDir}"; Tasks: kiosk

[Run]
Filename: "{app}\kassa.exe"; Description: "Запустить «Кассу»"; Flags: nowait postinstall skipifsilent unchecked

[UninstallDelete]
; only what the program can make again; never the journal, the logs or config.toml
Type: filesandordirs; Name: "{app}\_internal"
