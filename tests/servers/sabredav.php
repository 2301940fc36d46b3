<?php
// SabreDAV as Debian ships it (php-sabre-dav), run by PHP's built-in server for the tests:
//   OTG_SABRE_DB=/path/db.sqlite php -S 127.0.0.1:PORT sabredav.php
// Users sign in with Digest, SabreDAV's default (and Baïkal's); calendars live in SQLite.
// tests/servers/sabredav.py makes the database and starts this.

date_default_timezone_set('UTC');
function otg_error_handler($errno, $errstr, $errfile, $errline) {
    if (!(error_reporting() & $errno)) {
        return false;
    }
    throw new \ErrorException($errstr, 0, $errno, $errfile, $errline);
}
set_error_handler('otg_error_handler', E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED);
require_once 'Sabre/autoload.php';

$pdo = new \PDO('sqlite:' . getenv('OTG_SABRE_DB'));
$pdo->setAttribute(\PDO::ATTR_ERRMODE, \PDO::ERRMODE_EXCEPTION);
$principals = new \Sabre\DAVACL\PrincipalBackend\PDO($pdo);
$calendars = new \Sabre\CalDAV\Backend\PDO($pdo);
$server = new \Sabre\DAV\Server(array(
    new \Sabre\CalDAV\Principal\Collection($principals),
    new \Sabre\CalDAV\CalendarRootNode($principals, $calendars),
));
$server->setBaseUri('/');
$server->addPlugin(new \Sabre\DAV\Auth\Plugin(new \Sabre\DAV\Auth\Backend\PDO($pdo), 'SabreDAV'));
$server->addPlugin(new \Sabre\DAVACL\Plugin());
$server->addPlugin(new \Sabre\CalDAV\Plugin());
$server->exec();
